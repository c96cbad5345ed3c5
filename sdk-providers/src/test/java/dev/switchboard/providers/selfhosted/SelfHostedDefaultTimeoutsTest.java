package dev.switchboard.providers.selfhosted;

import static org.assertj.core.api.Assertions.assertThat;

import dev.switchboard.providers.testing.DefaultTimeoutsContract;
import dev.switchboard.providers.testing.RawHttpServer;
import dev.switchboard.spi.ProviderAdapter;
import dev.switchboard.spi.http.HttpTransport;
import java.time.Duration;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Nested;

/**
 * The {@link DefaultTimeoutsContract} for {@link SelfHostedProvider}, for every backend profile:
 * with the provider's own ticker and scheduler set to a manual clock (and nothing else about time
 * configured), the provider builds its transport on that clock, so the idle limit inside a stream
 * (the transport's default, 120 s), the wait for a stream's response headers and the whole-call limit
 * of {@code chat()} (both the builder's {@code timeout}, default 60 s) end the call when the clock
 * says so, and the replica's slot is released. The loopback server is one replica that answers the
 * health, metrics and model probes and then really goes silent (no keep-alive bytes) on the chat call.
 *
 * <p>The scrape and retry intervals (not time limits) are set to an hour and the replica is probed
 * once up front, so that no background probe runs while the clock is moved.
 */
class SelfHostedDefaultTimeoutsTest {
  private static final Duration NO_BACKGROUND_PROBES = Duration.ofHours(1);

  @Nested
  class Vllm extends OverOneReplica {
    Vllm() {
      super(Backend.VLLM);
    }
  }

  @Nested
  class Sglang extends OverOneReplica {
    Sglang() {
      super(Backend.SGLANG);
    }
  }

  @Nested
  class Tgi extends OverOneReplica {
    Tgi() {
      super(Backend.TGI);
    }
  }

  @Nested
  class LlamaCpp extends OverOneReplica {
    LlamaCpp() {
      super(Backend.LLAMA_CPP);
    }
  }

  /** The contract over one replica of one backend. */
  abstract static class OverOneReplica extends DefaultTimeoutsContract {
    private final Backend backend;
    private SelfHostedProvider provider;

    OverOneReplica(Backend backend) {
      this.backend = backend;
    }

    private SelfHostedProvider.Builder builder(String replica) {
      return SelfHostedProvider.builder().name("selfhosted").backend(backend).replica(replica)
          .ticker(clock).scheduler(clock);
    }

    @Override
    protected ProviderAdapter provider(String root, HttpTransport transport) {
      return builder(root).transport(transport).build();
    }

    /** One replica that answers the probes, probed once up front; the provider builds its own transport. */
    @Override
    protected ProviderAdapter startProvider(RawHttpServer.Script chat) throws Exception {
      RawHttpServer server = closeAfter(new RawHttpServer(0, c -> {
        String line = c.requestLine();
        if (line.startsWith("GET /health ")) {
          c.respondAndClose(200, "text/plain", "");
        } else if (line.startsWith("GET /metrics ")) {
          c.respondAndClose(200, "text/plain; version=0.0.4", "");
        } else if (line.startsWith("GET /v1/models ")) {
          c.respondAndClose(200, "application/json",
              "{\"object\":\"list\",\"data\":[{\"id\":\"test-model\",\"object\":\"model\",\"max_model_len\":8192}]}");
        } else {
          chat.run(c);
        }
      }));
      provider = closeAfter(builder(server.root())
          .scrapeInterval(NO_BACKGROUND_PROBES)
          .unhealthyRetryInterval(NO_BACKGROUND_PROBES)
          .build());
      provider.refreshNow().get(10, TimeUnit.SECONDS);
      clock.advance(Duration.ZERO); // the first background round: nothing is due, the next is an hour away
      assertThat(provider.replicas().get(0).healthy()).isTrue();
      return provider;
    }

    /** The calls in flight on the replica. */
    @Override
    protected int callsInFlight() {
      return provider.replicas().get(0).inFlight();
    }

    @Override
    protected String model() {
      return "selfhosted/test-model";
    }

    @Override
    protected Duration providerDefault() {
      return Duration.ofSeconds(60);
    }

    @Override
    protected String providerDefaultAsWritten() {
      return "60s";
    }

    @Override
    protected String builderSetting() {
      return "SelfHostedProvider.builder().timeout";
    }

    @Override
    protected String endpointPath() {
      return "/v1/chat/completions";
    }

    /** The first chunk of an OpenAI-style stream. */
    @Override
    protected String firstEvent() {
      return chatCompletionsChunk("test-model");
    }
  }
}
