package dev.switchboard.testkit.internal;

import dev.switchboard.testkit.ErrorKind;
import dev.switchboard.testkit.ServerKind;
import java.util.Map;

/**
 * What SGLang, TGI and llama.cpp's servers send where they differ from vLLM: their error bodies
 * (from each server's source: TGI's router {@code ErrorResponse {error, error_type}} and status
 * codes, llama.cpp's {@code format_error_response}, SGLang's OpenAI-style {@code ErrorResponse})
 * and their {@code /metrics}. Stateless. Not API.
 */
final class ServerErrors {
  private static final Map<String, String> JSON = Map.of("content-type", "application/json");

  private ServerErrors() {}

  /** The server's own answer for {@code error}, or {@code null} where it answers as OpenAI does. */
  static WireResponse render(ServerKind kind, ErrorKind error, String model) {
    switch (kind) {
      case TGI:
        switch (error) {
          case CONTEXT_LENGTH:
            return tgi(422, "validation", "Input validation error: `inputs` tokens + `max_new_tokens` must be <= "
                + "4096. Given: 4000 `inputs` tokens and 200 `max_new_tokens`");
          case INVALID_REQUEST:
            return tgi(422, "validation", "Input validation error: `temperature` must be strictly positive");
          case OVERLOADED:
          case SERVICE_UNAVAILABLE:
            return tgi(429, "overloaded", "Model is overloaded");
          case SERVER_ERROR:
            return tgi(424, "generation", "Request failed during generation: Server error: CUDA out of memory");
          default:
            return null;
        }
      case LLAMA_CPP:
        switch (error) {
          case CONTEXT_LENGTH:
            return WireResponse.of(400, JSON, "{\"error\":{\"code\":400,\"message\":\"the request exceeds the "
                + "available context size, try increasing it\",\"type\":\"exceed_context_size_error\","
                + "\"n_prompt_tokens\":5000,\"n_ctx\":4096}}");
          case INVALID_REQUEST:
            return llamaCpp(400, "invalid_request_error", "\\\"prompt\\\" must be a string or an array");
          case OVERLOADED:
          case SERVICE_UNAVAILABLE:
            return llamaCpp(503, "unavailable_error", "Loading model");
          case SERVER_ERROR:
            return llamaCpp(500, "server_error", "failed to decode the batch");
          default:
            return null;
        }
      case SGLANG:
        if (error == ErrorKind.CONTEXT_LENGTH) {
          return WireResponse.of(400, JSON, "{\"object\":\"error\",\"message\":\"The input (5000 tokens) is longer "
              + "than the model's context length (4096 tokens).\",\"type\":\"BadRequestError\",\"param\":null,"
              + "\"code\":400}");
        }
        return null;
      default:
        return null;
    }
  }

  private static WireResponse tgi(int status, String type, String message) {
    return WireResponse.of(status, JSON, "{\"error\":\"" + message.replace("\"", "\\\"") + "\",\"error_type\":\""
        + type + "\"}");
  }

  private static WireResponse llamaCpp(int status, String type, String message) {
    return WireResponse.of(status, JSON, "{\"error\":{\"code\":" + status + ",\"message\":\"" + message
        + "\",\"type\":\"" + type + "\"}}");
  }

  /** The server's {@code /metrics} for this load, under its own metric names and labels. */
  static String metrics(ServerKind kind, int running, int waiting, double kvCacheUsage,
      long[] prefixCache, String model) {
    StringBuilder out = new StringBuilder(1024);
    switch (kind) {
      case SGLANG: {
        String labels = "{engine_type=\"unified\",model_name=\"" + model + "\",pp_rank=\"0\",tp_rank=\"0\"}";
        gauge(out, "sglang:num_running_reqs", "The number of running requests.", labels, running);
        gauge(out, "sglang:num_queue_reqs", "The number of requests in the waiting queue.", labels, waiting);
        gauge(out, "sglang:token_usage", "The token usage.", labels, kvCacheUsage);
        if (prefixCache != null && prefixCache[1] > 0) {
          gauge(out, "sglang:cache_hit_rate", "The prefix cache hit rate.", labels,
              (double) prefixCache[0] / prefixCache[1]);
        }
        break;
      }
      case TGI:
        gauge(out, "tgi_batch_current_size", "Current batch size", "", running);
        gauge(out, "tgi_queue_size", "Current queue size", "", waiting);
        break;
      default: // llama.cpp
        gauge(out, "llamacpp:requests_processing", "Number of requests processing.", "", running);
        gauge(out, "llamacpp:requests_deferred", "Number of requests deferred.", "", waiting);
        gauge(out, "llamacpp:kv_cache_usage_ratio", "KV-cache usage. 1 means 100 percent usage.", "", kvCacheUsage);
        break;
    }
    return out.toString();
  }

  private static void gauge(StringBuilder out, String name, String help, String labels, double value) {
    out.append("# HELP ").append(name).append(' ').append(help).append('\n')
        .append("# TYPE ").append(name).append(" gauge\n")
        .append(name).append(labels).append(' ').append(value).append('\n');
  }
}
