package dev.switchboard.providers.selfhosted.internal;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.switchboard.ChatRequest;
import dev.switchboard.ResponseFormat;
import dev.switchboard.spi.http.WireJson;
import dev.switchboard.providers.compat.ChatCompletionsOptions;
import dev.switchboard.providers.compat.internal.ChatCompletionsRequestWriter;
import dev.switchboard.providers.selfhosted.SelfHostedOptions;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Translates a request's {@link SelfHostedOptions} and {@link ResponseFormat} into the top-level
 * body fields one self-hosted server understands, as {@link ChatCompletionsOptions#extraFields()}
 * on the request handed to the shared chat-completions wire code. The per-backend table is
 * documented on {@link dev.switchboard.providers.selfhosted.Backend}.
 *
 * <p>Extra fields the caller already put on a {@link ChatCompletionsOptions} tag (usually {@code
 * OpenAiOptions}) win over the ones written here, so a caller can always override a mapping; the
 * result is one tag under the key {@code ChatCompletionsOptions.class} that replaces the caller's.
 * A request with nothing to translate is returned as it is (the same instance). Stateless and
 * thread-safe. Not API.
 */
public final class RequestMapper {
  /** Characters with a meaning in the regex dialects of outlines, xgrammar and Python's re. */
  private static final String REGEX_META = "\\.^$|?*+()[]{}";

  private RequestMapper() {}

  /**
   * The request to send to {@code backendName}'s OpenAI-compatible endpoint.
   *
   * @throws IllegalArgumentException naming the backend and the option when the backend cannot
   *     honour it, or when two output constraints are combined
   */
  public static ChatRequest adapt(ChatRequest request, Dialect dialect, boolean legacyGuided, String backendName) {
    SelfHostedOptions options = request.tag(SelfHostedOptions.class).orElse(null);
    ResponseFormat format = request.responseFormat().filter(f -> f.type() != ResponseFormat.Type.TEXT).orElse(null);
    boolean guided = options != null && options.hasGuidedDecoding();
    if (guided && format != null) {
      throw new IllegalArgumentException("the request to " + backendName + " sets both " + format
          + " and a SelfHostedOptions guided constraint; each constrains the whole output, so keep one");
    }
    Map<String, String> fields = new LinkedHashMap<>();
    switch (dialect) {
      case VLLM -> vllm(options, format, legacyGuided, fields);
      case SGLANG -> sglang(options, fields);
      case TGI -> tgi(request, options, format, backendName, fields);
      case LLAMA_CPP -> llamaCpp(options, backendName, fields);
      default -> throw new IllegalStateException("unknown dialect " + dialect);
    }
    if (fields.isEmpty()) {
      return request;
    }
    ChatCompletionsOptions existing = ChatCompletionsRequestWriter.options(request).orElse(null);
    ChatRequest.Builder adapted = request.toBuilder();
    for (Map.Entry<Class<?>, Object> tag : request.tags().entrySet()) {
      if (tag.getValue() instanceof ChatCompletionsOptions) {
        removeTag(adapted, tag.getKey()); // replaced by the merged options below
      }
    }
    return adapted.tag(ChatCompletionsOptions.class, AdaptedOptions.merge(existing, fields)).build();
  }

  private static <T> void removeTag(ChatRequest.Builder builder, Class<T> type) {
    builder.tag(type, null);
  }

  // ---- per backend ----

  private static void vllm(SelfHostedOptions options, ResponseFormat format, boolean legacy,
      Map<String, String> fields) {
    if (options != null) {
      options.topK().ifPresent(k -> fields.put("top_k", Integer.toString(k)));
      options.minP().ifPresent(p -> fields.put("min_p", number(p)));
      options.repetitionPenalty().ifPresent(r -> fields.put("repetition_penalty", number(r)));
    }
    if (legacy) {
      // vLLM before 0.12: guided_* top-level fields; a JSON schema goes as guided_json.
      if (format != null && format.type() == ResponseFormat.Type.JSON_SCHEMA) {
        fields.put("guided_json", format.jsonSchema().orElseThrow());
        fields.put("response_format", "null");
      }
      if (options != null) {
        options.guidedRegex().ifPresent(r -> fields.put("guided_regex", WireJson.write(r)));
        if (!options.guidedChoice().isEmpty()) {
          fields.put("guided_choice", WireJson.write(options.guidedChoice()));
        }
        options.guidedGrammar().ifPresent(g -> fields.put("guided_grammar", WireJson.write(g)));
      }
      return;
    }
    // vLLM 0.12 and later: one structured_outputs object; response_format stays the standard one.
    if (options != null && options.hasGuidedDecoding()) {
      ObjectNode structured = WireJson.MAPPER.createObjectNode();
      options.guidedRegex().ifPresent(r -> structured.put("regex", r));
      if (!options.guidedChoice().isEmpty()) {
        ArrayNode choices = structured.putArray("choice");
        options.guidedChoice().forEach(choices::add);
      }
      options.guidedGrammar().ifPresent(g -> structured.put("grammar", g));
      fields.put("structured_outputs", structured.toString());
    }
  }

  private static void sglang(SelfHostedOptions options, Map<String, String> fields) {
    if (options == null) {
      return;
    }
    options.topK().ifPresent(k -> fields.put("top_k", Integer.toString(k)));
    options.minP().ifPresent(p -> fields.put("min_p", number(p)));
    options.repetitionPenalty().ifPresent(r -> fields.put("repetition_penalty", number(r)));
    options.guidedRegex().ifPresent(r -> fields.put("regex", WireJson.write(r)));
    if (!options.guidedChoice().isEmpty()) {
      fields.put("regex", WireJson.write(choiceRegex(options.guidedChoice())));
    }
    options.guidedGrammar().ifPresent(g -> fields.put("ebnf", WireJson.write(g)));
  }

  private static void tgi(ChatRequest request, SelfHostedOptions options, ResponseFormat format, String backendName,
      Map<String, String> fields) {
    if (options != null) {
      if (options.topK().isPresent()) {
        throw unsupported(backendName, "topK", "TGI's /v1/chat/completions has no top_k field (only its /generate "
            + "endpoint does)");
      }
      if (options.minP().isPresent()) {
        throw unsupported(backendName, "minP", "TGI has no min_p sampling");
      }
      if (options.repetitionPenalty().isPresent()) {
        throw unsupported(backendName, "repetitionPenalty", "TGI's /v1/chat/completions has no repetition_penalty "
            + "field (it derives one from presence_penalty; set that with OpenAiOptions.extraField)");
      }
      if (options.guidedGrammar().isPresent()) {
        throw unsupported(backendName, "guidedGrammar", "TGI constrains output only by JSON schema or regex");
      }
    }
    ObjectNode grammar = null;
    if (format != null) {
      grammar = WireJson.MAPPER.createObjectNode();
      grammar.put("type", "json");
      if (format.type() == ResponseFormat.Type.JSON_SCHEMA) {
        grammar.set("value", WireJson.parse(format.jsonSchema().orElseThrow(), "ResponseFormat jsonSchema"));
      } else {
        grammar.putObject("value").put("type", "object");
      }
    } else if (options != null && options.guidedRegex().isPresent()) {
      grammar = WireJson.MAPPER.createObjectNode().put("type", "regex").put("value", options.guidedRegex().get());
    } else if (options != null && !options.guidedChoice().isEmpty()) {
      grammar = WireJson.MAPPER.createObjectNode().put("type", "regex")
          .put("value", choiceRegex(options.guidedChoice()));
    }
    if (grammar != null) {
      if (!request.tools().isEmpty()) {
        throw new IllegalArgumentException("the request to " + backendName + " has both tools and an output "
            + "constraint; TGI accepts response_format or tools but not both, so drop one");
      }
      fields.put("response_format", grammar.toString());
    }
  }

  private static void llamaCpp(SelfHostedOptions options, String backendName, Map<String, String> fields) {
    if (options == null) {
      return;
    }
    options.topK().ifPresent(k -> fields.put("top_k", Integer.toString(k)));
    options.minP().ifPresent(p -> fields.put("min_p", number(p)));
    options.repetitionPenalty().ifPresent(r -> fields.put("repeat_penalty", number(r)));
    if (options.guidedRegex().isPresent()) {
      throw unsupported(backendName, "guidedRegex", "llama.cpp constrains output by GBNF grammar or JSON schema, "
          + "not by regex; write the pattern as guidedGrammar in GBNF");
    }
    if (!options.guidedChoice().isEmpty()) {
      fields.put("grammar", WireJson.write(choiceGbnf(options.guidedChoice())));
    }
    options.guidedGrammar().ifPresent(g -> fields.put("grammar", WireJson.write(g)));
  }

  // ---- helpers ----

  /** A regex matching exactly one of {@code choices}: {@code (a|b|c)} with metacharacters escaped. */
  static String choiceRegex(List<String> choices) {
    StringBuilder sb = new StringBuilder("(");
    for (int i = 0; i < choices.size(); i++) {
      if (i > 0) {
        sb.append('|');
      }
      for (char c : choices.get(i).toCharArray()) {
        if (REGEX_META.indexOf(c) >= 0) {
          sb.append('\\');
        }
        sb.append(c);
      }
    }
    return sb.append(')').toString();
  }

  /** A GBNF grammar whose root is exactly one of {@code choices}: {@code root ::= "a" | "b"}. */
  static String choiceGbnf(List<String> choices) {
    StringBuilder sb = new StringBuilder("root ::= ");
    for (int i = 0; i < choices.size(); i++) {
      if (i > 0) {
        sb.append(" | ");
      }
      sb.append('"');
      for (char c : choices.get(i).toCharArray()) {
        switch (c) {
          case '"' -> sb.append("\\\"");
          case '\\' -> sb.append("\\\\");
          case '\n' -> sb.append("\\n");
          case '\r' -> sb.append("\\r");
          case '\t' -> sb.append("\\t");
          default -> sb.append(c);
        }
      }
      sb.append('"');
    }
    return sb.toString();
  }

  private static String number(double value) {
    return WireJson.write(value);
  }

  private static IllegalArgumentException unsupported(String backendName, String option, String why) {
    return new IllegalArgumentException("SelfHostedOptions." + option + " is not supported by backend "
        + backendName + ": " + why + ". Remove it for this backend.");
  }
}
