package dev.switchboard.examples.cli;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.InputStream;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * {@code grafana/switchboard-dashboard.json} queries only the series Micrometer's Prometheus
 * registry makes of the SDK's meters (dots become underscores), and only their labels.
 */
class GrafanaDashboardTest {
  private static final String DS = "${DS_PROMETHEUS}";
  private static final String[] ATTEMPT = {"gen_ai_operation_name", "gen_ai_provider_name", "gen_ai_request_model",
      "gen_ai_response_model"};
  /** Every series name with its labels. */
  private static final Map<String, Set<String>> SERIES = new TreeMap<>();

  static {
    histogram("gen_ai_client_operation_duration_seconds", with(ATTEMPT, "error_type"));
    histogram("gen_ai_client_token_usage", with(ATTEMPT, "gen_ai_token_type"));
    histogram("switchboard_call_duration_seconds", "switchboard_route", "outcome", "error_type");
    series("switchboard_cost_usd_total", "gen_ai_provider_name", "gen_ai_request_model", "switchboard_route");
    series("switchboard_cost_saved_usd_total", "switchboard_route", "cache");
    series("switchboard_cache_hits_total", "switchboard_route", "cache");
    series("switchboard_retries_total", "switchboard_route", "error_type");
    series("switchboard_fallbacks_total", "switchboard_route", "error_type");
    series("switchboard_circuit_state", "gen_ai_provider_name", "gen_ai_request_model");
    histogram("switchboard_time_to_first_token_seconds", "switchboard_route");
    histogram("switchboard_overhead_seconds", "switchboard_route");
    series("switchboard_feedback_score_count", "gen_ai_provider_name", "gen_ai_response_model", "switchboard_route");
    series("switchboard_feedback_score_sum", "gen_ai_provider_name", "gen_ai_response_model", "switchboard_route");
    series("switchboard_feedback_negative_score_count", "gen_ai_provider_name", "gen_ai_response_model",
        "switchboard_route");
    series("switchboard_feedback_negative_score_sum", "gen_ai_provider_name", "gen_ai_response_model",
        "switchboard_route");
  }

  private static final Pattern NAME = Pattern.compile("\\b(?:gen_ai|switchboard)_[a-z_]+");
  private static final Pattern SELECTOR = Pattern.compile("([a-zA-Z_:][a-zA-Z0-9_:]*)\\s*\\{([^}]*)}");
  private static final Pattern MATCHER_LABEL = Pattern.compile("([a-zA-Z_][a-zA-Z0-9_]*)\\s*(?:=~|!~|!=|=)");
  private static final Pattern GROUPING = Pattern.compile("\\b(?:by|without|on|ignoring)\\s*\\(([^)]*)\\)");
  private static final Pattern LABEL_VALUES = Pattern.compile("label_values\\(\\s*(\\w+)\\s*,\\s*(\\w+)\\s*\\)");
  private static final Pattern LEGEND_LABEL = Pattern.compile("\\{\\{\\s*(\\w+)\\s*}}");

  private static JsonNode dashboard;

  private static void histogram(String name, String... labels) {
    series(name + "_bucket", with(labels, "le"));
    series(name + "_count", labels);
    series(name + "_sum", labels);
  }

  private static void series(String name, String... labels) {
    SERIES.put(name, Set.of(labels));
  }

  private static String[] with(String[] labels, String more) {
    List<String> all = new ArrayList<>(List.of(labels));
    all.add(more);
    return all.toArray(String[]::new);
  }

  @BeforeAll
  static void load() throws Exception {
    try (InputStream in = GrafanaDashboardTest.class.getResourceAsStream("/grafana/switchboard-dashboard.json")) {
      assertThat(in).as("grafana/switchboard-dashboard.json on the class path").isNotNull();
      dashboard = new ObjectMapper().readTree(in);
    }
  }

  /**
   * What is wrong with {@code expr} (and its {@code legend}): a series the SDK does not produce, a
   * label its series lacks, a legend label the query's grouping drops. Empty when all is well.
   */
  static List<String> problems(String expr, String legend) {
    List<String> problems = new ArrayList<>();
    Set<String> used = new LinkedHashSet<>();
    String outsideLabels = expr;

    Matcher lv = LABEL_VALUES.matcher(expr);
    while (lv.find()) {
      String series = lv.group(1);
      Set<String> labels = SERIES.get(series);
      if (labels == null) {
        problems.add("unknown series " + series);
      } else if (!labels.contains(lv.group(2))) {
        problems.add(series + " has no label " + lv.group(2));
      }
    }
    outsideLabels = LABEL_VALUES.matcher(outsideLabels).replaceAll("");

    Matcher s = SELECTOR.matcher(outsideLabels);
    while (s.find()) {
      Set<String> labels = SERIES.getOrDefault(s.group(1), Set.of());
      Matcher m = MATCHER_LABEL.matcher(s.group(2));
      while (m.find()) {
        if (!labels.contains(m.group(1))) {
          problems.add(s.group(1) + " has no label " + m.group(1));
        }
      }
    }
    outsideLabels = outsideLabels.replaceAll("\\{[^}]*}", "");

    Set<String> grouped = new HashSet<>();
    Matcher g = GROUPING.matcher(outsideLabels);
    while (g.find()) {
      for (String label : g.group(1).split(",")) {
        if (!label.isBlank()) {
          grouped.add(label.strip());
        }
      }
    }
    outsideLabels = GROUPING.matcher(outsideLabels).replaceAll("");

    Matcher n = NAME.matcher(outsideLabels);
    while (n.find()) {
      if (SERIES.containsKey(n.group())) {
        used.add(n.group());
      } else {
        problems.add("unknown series " + n.group());
      }
    }
    for (String label : grouped) {
      for (String series : used) {
        if (!SERIES.get(series).contains(label)) {
          problems.add(series + " has no label " + label + " to group by");
        }
      }
    }
    Matcher l = LEGEND_LABEL.matcher(legend);
    while (l.find()) {
      if (!grouped.contains(l.group(1))) {
        problems.add("legend label " + l.group(1) + " is not kept by the query's grouping");
      }
    }
    return problems;
  }

  @Test
  void isAnImportableGrafana10Dashboard() {
    assertThat(dashboard.path("uid").asText()).isEqualTo("switchboard");
    assertThat(dashboard.path("schemaVersion").asInt()).isGreaterThanOrEqualTo(38);
    assertThat(dashboard.path("__inputs").findValuesAsText("name")).containsExactly("DS_PROMETHEUS");
    assertThat(dashboard.path("description").asText()).contains("Import", "DS_PROMETHEUS");
  }

  @Test
  void everyPanel_hasAUniqueId_aTitle_andPrometheusTargets() {
    Set<Integer> ids = new HashSet<>();
    assertThat(dashboard.path("panels")).isNotEmpty();
    for (JsonNode panel : dashboard.path("panels")) {
      String title = panel.path("title").asText();
      assertThat(title).as("a panel's title").isNotBlank();
      assertThat(ids.add(panel.path("id").asInt(-1))).as("%s's id %s is unique", title, panel.path("id")).isTrue();
      assertThat(panel.path("datasource").path("uid").asText()).as(title).isEqualTo(DS);
      assertThat(panel.path("targets")).as("%s's targets", title).isNotEmpty();
      for (JsonNode target : panel.path("targets")) {
        assertThat(target.path("expr").asText()).as("%s's expr", title).isNotBlank();
        assertThat(target.path("datasource").path("uid").asText()).as(title).isEqualTo(DS);
      }
    }
  }

  @Test
  void everyQuery_usesTheSdksSeriesAndTheirLabels() {
    int checked = 0;
    for (JsonNode panel : dashboard.path("panels")) {
      for (JsonNode target : panel.path("targets")) {
        assertThat(problems(target.path("expr").asText(), target.path("legendFormat").asText()))
            .as("%s: %s", panel.path("title").asText(), target.path("expr").asText()).isEmpty();
        checked++;
      }
    }
    for (JsonNode variable : dashboard.path("templating").path("list")) {
      assertThat(problems(variable.path("definition").asText(), "")).as(variable.path("name").asText()).isEmpty();
    }
    assertThat(checked).isGreaterThanOrEqualTo(dashboard.path("panels").size());
  }

  @Test
  void theDashboard_coversEverySeriesFamily() {
    Set<String> used = new HashSet<>();
    dashboard.path("panels").findValuesAsText("expr").forEach(expr -> NAME.matcher(expr).results()
        .map(r -> r.group().replaceFirst("_(bucket|count|sum)$", "")).forEach(used::add));
    assertThat(used).contains("gen_ai_client_operation_duration_seconds", "gen_ai_client_token_usage",
        "switchboard_call_duration_seconds", "switchboard_cost_usd_total", "switchboard_cost_saved_usd_total",
        "switchboard_cache_hits_total", "switchboard_retries_total", "switchboard_fallbacks_total",
        "switchboard_circuit_state", "switchboard_time_to_first_token_seconds", "switchboard_overhead_seconds",
        "switchboard_feedback_score");
  }

  @Test
  void theCheck_catchesUnknownSeries_foreignLabels_andDroppedLegendLabels() {
    assertThat(problems("sum(rate(switchboard_costs_total[5m]))", "")).containsExactly(
        "unknown series switchboard_costs_total");
    assertThat(problems("rate(switchboard_cost_usd_total{cache=\"semantic\"}[5m])", "")).containsExactly(
        "switchboard_cost_usd_total has no label cache");
    assertThat(problems("sum by (outcome) (rate(switchboard_retries_total[5m]))", "")).containsExactly(
        "switchboard_retries_total has no label outcome to group by");
    assertThat(problems("sum by (switchboard_route) (rate(switchboard_retries_total[5m]))", "{{error_type}}"))
        .containsExactly("legend label error_type is not kept by the query's grouping");
    assertThat(problems("label_values(switchboard_call_duration_seconds_count, cache)", "")).containsExactly(
        "switchboard_call_duration_seconds_count has no label cache");
    assertThat(problems("histogram_quantile(0.99, sum by (le) (rate(switchboard_overhead_seconds_bucket[5m])))", ""))
        .isEmpty();
  }
}
