package dev.switchboard.providers.selfhosted;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import dev.switchboard.providers.selfhosted.internal.ControlPlane;
import dev.switchboard.providers.selfhosted.internal.PrometheusText;
import java.util.Map;
import java.util.OptionalLong;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Test;

class PrometheusTextTest {

  private static ControlPlane.Load load(Backend backend, String exposition) {
    return ControlPlane.readLoad(PrometheusText.parse(exposition), backend.runningSeries(), backend.waitingSeries(),
        backend.kvCacheUsageSeries(), backend.prefixCacheHitRateSeries(), backend.prefixCacheCounterSeries());
  }

  // ---------------------------------------------------------------- the format

  @Nested
  class Format {

    @Test
    void readsHelpTypeLabelsAndValues() {
      PrometheusText text = PrometheusText.parse("""
          # HELP http_requests_total The total number of HTTP requests.
          # TYPE http_requests_total counter
          http_requests_total{method="post",code="200"} 1027 1395066363000
          http_requests_total{method="post",code="400"}    3 1395066363000
          """);

      assertThat(text.type("http_requests_total")).contains("counter");
      assertThat(text.help("http_requests_total")).contains("The total number of HTTP requests.");
      assertThat(text.samples("http_requests_total")).hasSize(2);
      PrometheusText.Sample first = text.samples("http_requests_total").get(0);
      assertThat(first.labels()).containsExactly(Map.entry("method", "post"), Map.entry("code", "200"));
      assertThat(first.value()).isEqualTo(1027.0);
      assertThat(first.timestampMillis()).isEqualTo(OptionalLong.of(1395066363000L));
      assertThat(text.sum("http_requests_total")).hasValue(1030.0);
      assertThat(text.max("http_requests_total")).hasValue(1027.0);
      assertThat(text.malformedLines()).isZero();
    }

    @Test
    void unescapesQuotesBackslashesAndNewlinesInLabelValues_andKeepsCommasAndBraces() {
      PrometheusText text = PrometheusText.parse(
          "msdos_file_access_time_seconds{path=\"C:\\\\DIR\\\\FILE.TXT\",error=\"Cannot find file:\\n\\\"FILE.TXT\\\"\"} "
              + "1.458255915e9\n"
              + "odd{model_name=\"a,b} {c}\",} 2\n");

      PrometheusText.Sample s = text.samples("msdos_file_access_time_seconds").get(0);
      assertThat(s.labels().get("path")).isEqualTo("C:\\DIR\\FILE.TXT");
      assertThat(s.labels().get("error")).isEqualTo("Cannot find file:\n\"FILE.TXT\"");
      assertThat(s.value()).isEqualTo(1.458255915e9);
      assertThat(text.samples("odd").get(0).labels()).containsExactly(Map.entry("model_name", "a,b} {c}"));
      assertThat(text.malformedLines()).isZero();
    }

    @Test
    void readsNaNAndInfinities_butSumsAndMaxesOnlyFiniteValues() {
      PrometheusText text = PrometheusText.parse("""
          g{a="1"} NaN
          g{a="2"} +Inf
          g{a="3"} -Inf
          g{a="4"} 2.5
          h NaN
          rpc_duration_seconds_bucket{le="+Inf"} 144320
          """);

      assertThat(text.samples("g")).extracting(PrometheusText.Sample::value)
          .containsExactly(Double.NaN, Double.POSITIVE_INFINITY, Double.NEGATIVE_INFINITY, 2.5);
      assertThat(text.sum("g")).hasValue(2.5);
      assertThat(text.max("g")).hasValue(2.5);
      assertThat(text.sum("h")).isEmpty();
      assertThat(text.sum("missing")).isEmpty();
      assertThat(text.samples("rpc_duration_seconds_bucket").get(0).labels()).containsEntry("le", "+Inf");
    }

    @Test
    void skipsMalformedLines_andKeepsTheRest() {
      PrometheusText text = PrometheusText.parse("""
          good 1
          {no_name="x"} 1
          bad_value abc
          unclosed{a="1 2
          missing_value{a="1"}
          9starts_with_digit 1
          java_spelling Infinity
          trailing_garbage 1 2 3
          also_good{} 4
          """);

      assertThat(text.sum("good")).hasValue(1.0);
      assertThat(text.sum("also_good")).hasValue(4.0);
      assertThat(text.malformedLines()).isEqualTo(7);
      assertThat(text.names()).containsExactly("good", "also_good");
    }

    @Test
    void acceptsCrLf_blankLines_plainComments_eofAndExemplars() {
      PrometheusText text = PrometheusText.parse("# a plain comment\r\n\r\n"
          + "# TYPE foo gauge\r\n"
          + "foo{x=\"y\"} 3\r\n"
          + "foo_total 17.0 1520879607.789 # {trace_id=\"KOO5S4vxi0o\"} 0.67\r\n"
          + "# EOF\r\n");

      assertThat(text.samples("foo").get(0).labels()).containsEntry("x", "y");
      assertThat(text.type("foo")).contains("gauge");
      PrometheusText.Sample total = text.samples("foo_total").get(0);
      assertThat(total.value()).isEqualTo(17.0);
      assertThat(total.timestampMillis()).isEqualTo(OptionalLong.of(1520879607789L));
      assertThat(text.malformedLines()).isZero();
    }

    @Test
    void unescapesHelpText_andKeepsTheFirstDeclaration() {
      PrometheusText text = PrometheusText.parse("# HELP m line one\\nline two with a \\\\ backslash\n"
          + "# HELP m a second help is ignored\n"
          + "# TYPE m gauge\n"
          + "m 1\n");

      assertThat(text.help("m")).contains("line one\nline two with a \\ backslash");
    }
  }

  // ---------------------------------------------------------------- real servers

  @Nested
  class Servers {

    @Test
    void vllmV1_sumsRequestsOverEnginesAndModels_andTakesTheLargestKvCacheUsage() {
      String exposition = """
          # HELP python_gc_objects_collected_total Objects collected during gc
          # TYPE python_gc_objects_collected_total counter
          python_gc_objects_collected_total{generation="0"} 12087.0
          # HELP vllm:num_requests_running Number of requests in model execution batches.
          # TYPE vllm:num_requests_running gauge
          vllm:num_requests_running{engine="0",model_name="meta-llama/Llama-3.1-8B-Instruct"} 3.0
          vllm:num_requests_running{engine="1",model_name="meta-llama/Llama-3.1-8B-Instruct"} 2.0
          # HELP vllm:num_requests_waiting Number of requests waiting to be processed.
          # TYPE vllm:num_requests_waiting gauge
          vllm:num_requests_waiting{engine="0",model_name="meta-llama/Llama-3.1-8B-Instruct"} 7.0
          vllm:num_requests_waiting{engine="1",model_name="meta-llama/Llama-3.1-8B-Instruct"} 0.0
          # HELP vllm:kv_cache_usage_perc KV-cache usage. 1 means 100 percent usage.
          # TYPE vllm:kv_cache_usage_perc gauge
          vllm:kv_cache_usage_perc{engine="0",model_name="meta-llama/Llama-3.1-8B-Instruct"} 0.61
          vllm:kv_cache_usage_perc{engine="1",model_name="meta-llama/Llama-3.1-8B-Instruct"} 0.23
          # HELP vllm:time_to_first_token_seconds Histogram of time to first token in seconds.
          # TYPE vllm:time_to_first_token_seconds histogram
          vllm:time_to_first_token_seconds_bucket{engine="0",le="0.001",model_name="meta-llama/Llama-3.1-8B-Instruct"} 0.0
          vllm:time_to_first_token_seconds_bucket{engine="0",le="+Inf",model_name="meta-llama/Llama-3.1-8B-Instruct"} 41.0
          vllm:time_to_first_token_seconds_count{engine="0",model_name="meta-llama/Llama-3.1-8B-Instruct"} 41.0
          vllm:time_to_first_token_seconds_sum{engine="0",model_name="meta-llama/Llama-3.1-8B-Instruct"} 9.3121
          # HELP vllm:prefix_cache_queries_total Prefix cache queries, in terms of number of queried tokens.
          # TYPE vllm:prefix_cache_queries_total counter
          vllm:prefix_cache_queries_total{engine="0",model_name="meta-llama/Llama-3.1-8B-Instruct"} 30000.0
          vllm:prefix_cache_queries_total{engine="1",model_name="meta-llama/Llama-3.1-8B-Instruct"} 10000.0
          # HELP vllm:prefix_cache_hits_total Prefix cache hits, in terms of number of cached tokens.
          # TYPE vllm:prefix_cache_hits_total counter
          vllm:prefix_cache_hits_total{engine="0",model_name="meta-llama/Llama-3.1-8B-Instruct"} 24000.0
          vllm:prefix_cache_hits_total{engine="1",model_name="meta-llama/Llama-3.1-8B-Instruct"} 2000.0
          """;

      ControlPlane.Load load = load(Backend.VLLM, exposition);

      assertThat(load.running()).isEqualTo(5);
      assertThat(load.waiting()).isEqualTo(7);
      assertThat(load.kvCacheUsage()).isEqualTo(0.61);
      assertThat(load.prefixCacheHitRate()).as("hits over queries, both engines").isCloseTo(0.65, within(1e-12));
    }

    @Test
    void vllmV0_fallsBackToGpuCacheUsagePerc() {
      String exposition = """
          # HELP vllm:num_requests_running Number of requests currently running on GPU.
          # TYPE vllm:num_requests_running gauge
          vllm:num_requests_running{model_name="mistralai/Mistral-7B-Instruct-v0.2"} 4.0
          # HELP vllm:num_requests_swapped Number of requests swapped to CPU.
          # TYPE vllm:num_requests_swapped gauge
          vllm:num_requests_swapped{model_name="mistralai/Mistral-7B-Instruct-v0.2"} 0.0
          # HELP vllm:num_requests_waiting Number of requests waiting to be processed.
          # TYPE vllm:num_requests_waiting gauge
          vllm:num_requests_waiting{model_name="mistralai/Mistral-7B-Instruct-v0.2"} 1.0
          # HELP vllm:gpu_cache_usage_perc GPU KV-cache usage. 1 means 100 percent usage.
          # TYPE vllm:gpu_cache_usage_perc gauge
          vllm:gpu_cache_usage_perc{model_name="mistralai/Mistral-7B-Instruct-v0.2"} 0.8342
          """;

      ControlPlane.Load load = load(Backend.VLLM, exposition);

      assertThat(load.running()).isEqualTo(4);
      assertThat(load.waiting()).isEqualTo(1);
      assertThat(load.kvCacheUsage()).isEqualTo(0.8342);
      assertThat(load.prefixCacheHitRate()).as("not exported").isNaN();
    }

    @Test
    void sglang_readsRunningQueueAndTokenUsage() {
      String exposition = """
          # HELP sglang:prompt_tokens_total Number of prefill tokens processed.
          # TYPE sglang:prompt_tokens_total counter
          sglang:prompt_tokens_total{model_name="Qwen/Qwen2.5-7B-Instruct"} 8.128902e+06
          # HELP sglang:num_running_reqs The number of running requests.
          # TYPE sglang:num_running_reqs gauge
          sglang:num_running_reqs{engine_type="unified",model_name="Qwen/Qwen2.5-7B-Instruct",pp_rank="0",tp_rank="0"} 12.0
          # HELP sglang:num_queue_reqs The number of requests in the waiting queue.
          # TYPE sglang:num_queue_reqs gauge
          sglang:num_queue_reqs{engine_type="unified",model_name="Qwen/Qwen2.5-7B-Instruct",pp_rank="0",tp_rank="0"} 3.0
          # HELP sglang:token_usage The token usage.
          # TYPE sglang:token_usage gauge
          sglang:token_usage{engine_type="unified",model_name="Qwen/Qwen2.5-7B-Instruct",pp_rank="0",tp_rank="0"} 0.28
          # HELP sglang:cache_hit_rate The prefix cache hit rate.
          # TYPE sglang:cache_hit_rate gauge
          sglang:cache_hit_rate{engine_type="unified",model_name="Qwen/Qwen2.5-7B-Instruct",pp_rank="0",tp_rank="0"} 0.0075
          """;

      ControlPlane.Load load = load(Backend.SGLANG, exposition);

      assertThat(load.running()).isEqualTo(12);
      assertThat(load.waiting()).isEqualTo(3);
      assertThat(load.kvCacheUsage()).isCloseTo(0.28, within(1e-12));
      assertThat(load.prefixCacheHitRate()).isCloseTo(0.0075, within(1e-12));
    }

    @Test
    void tgi_readsBatchAndQueueSize_withoutKvCacheUsage() {
      String exposition = """
          # TYPE tgi_request_count counter
          tgi_request_count 1244
          # TYPE tgi_request_success counter
          tgi_request_success 1240
          # TYPE tgi_queue_size gauge
          tgi_queue_size 6
          # TYPE tgi_batch_current_size gauge
          tgi_batch_current_size 32
          # TYPE tgi_batch_current_max_tokens gauge
          tgi_batch_current_max_tokens 16384
          # TYPE tgi_request_duration summary
          tgi_request_duration{quantile="0.5"} 1.8437
          tgi_request_duration{quantile="0.99"} 7.1002
          tgi_request_duration_sum 2304.61
          tgi_request_duration_count 1240
          """;

      ControlPlane.Load load = load(Backend.TGI, exposition);

      assertThat(load.running()).isEqualTo(32);
      assertThat(load.waiting()).isEqualTo(6);
      assertThat(load.kvCacheUsage()).isNaN();
    }

    @Test
    void llamaCpp_readsProcessingAndDeferred_andTheKvRatioOfOlderBuilds() {
      String exposition = """
          # HELP llamacpp:prompt_tokens_total Number of prompt tokens processed.
          # TYPE llamacpp:prompt_tokens_total counter
          llamacpp:prompt_tokens_total 6886
          # HELP llamacpp:tokens_predicted_total Number of generation tokens processed.
          # TYPE llamacpp:tokens_predicted_total counter
          llamacpp:tokens_predicted_total 3469
          # HELP llamacpp:prompt_tokens_seconds Average prompt throughput in tokens/s.
          # TYPE llamacpp:prompt_tokens_seconds gauge
          llamacpp:prompt_tokens_seconds 2.37151
          # HELP llamacpp:kv_cache_usage_ratio KV-cache usage. 1 means 100 percent usage.
          # TYPE llamacpp:kv_cache_usage_ratio gauge
          llamacpp:kv_cache_usage_ratio 0.125
          # HELP llamacpp:kv_cache_tokens KV-cache tokens.
          # TYPE llamacpp:kv_cache_tokens gauge
          llamacpp:kv_cache_tokens 512
          # HELP llamacpp:requests_processing Number of requests processing.
          # TYPE llamacpp:requests_processing gauge
          llamacpp:requests_processing 1
          # HELP llamacpp:requests_deferred Number of requests deferred.
          # TYPE llamacpp:requests_deferred gauge
          llamacpp:requests_deferred 2
          """;

      ControlPlane.Load load = load(Backend.LLAMA_CPP, exposition);

      assertThat(load.running()).isEqualTo(1);
      assertThat(load.waiting()).isEqualTo(2);
      assertThat(load.kvCacheUsage()).isEqualTo(0.125);
    }

    @Test
    void llamaCppNewerBuilds_withoutKvRatio_reportNoKvCacheUsage() {
      ControlPlane.Load load = load(Backend.LLAMA_CPP, """
          # TYPE llamacpp:requests_processing gauge
          llamacpp:requests_processing 0
          # TYPE llamacpp:requests_deferred gauge
          llamacpp:requests_deferred 0
          # TYPE llamacpp:n_busy_slots_per_decode gauge
          llamacpp:n_busy_slots_per_decode 1
          """);

      assertThat(load.running()).isZero();
      assertThat(load.waiting()).isZero();
      assertThat(load.kvCacheUsage()).isNaN();
    }

    @Test
    void aServerWithoutTheSeries_countsAsIdle() {
      ControlPlane.Load load = load(Backend.VLLM, "# nothing here\nprocess_open_fds 12\n");

      assertThat(load.running()).isZero();
      assertThat(load.waiting()).isZero();
      assertThat(load.kvCacheUsage()).isNaN();
    }
  }
}
