package dev.switchboard;

import java.net.URI;
import java.util.Base64;
import java.util.Objects;
import java.util.Optional;

/**
 * One part of a message's content: text or an image. Immutable and thread-safe.
 */
public sealed interface ContentPart permits ContentPart.Text, ContentPart.Image {

  static Text text(String text) {
    return new Text(text);
  }

  /** An image the provider fetches itself. */
  static Image imageUrl(URI url) {
    return new Image(Objects.requireNonNull(url, "url").toString(), null, null);
  }

  /** An image sent inline; {@code mediaType} such as {@code image/png}. */
  static Image imageBytes(byte[] data, String mediaType) {
    Objects.requireNonNull(data, "data");
    Objects.requireNonNull(mediaType, "mediaType");
    return new Image(null, Base64.getEncoder().encodeToString(data), mediaType);
  }

  /** Text content. */
  record Text(String text) implements ContentPart {
    public Text {
      Objects.requireNonNull(text, "text");
    }
  }

  /** An image, either by URL or inline as base64 with its media type. */
  record Image(String url, String base64Data, String mediaType) implements ContentPart {
    public Image {
      if ((url == null) == (base64Data == null)) {
        throw new IllegalArgumentException("an image needs exactly one of url or base64Data");
      }
      if (base64Data != null && mediaType == null) {
        throw new IllegalArgumentException("an inline image needs a mediaType such as image/png");
      }
    }

    public Optional<String> urlIfRemote() {
      return Optional.ofNullable(url);
    }

    /** A {@code data:} URL for inline images, the URL otherwise. */
    public String asUrl() {
      return url != null ? url : "data:" + mediaType + ";base64," + base64Data;
    }

    @Override
    public String toString() {
      return url != null
          ? "Image[url=" + url + "]"
          : "Image[" + mediaType + ", " + base64Data.length() + " base64 chars]";
    }
  }
}
