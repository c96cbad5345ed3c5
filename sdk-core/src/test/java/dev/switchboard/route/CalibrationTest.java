package dev.switchboard.route;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import dev.switchboard.ChatRequest;
import dev.switchboard.eval.RoutingTable;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;

/**
 * A threshold calibrated for a 20% premium share on one slice of prompts sends 20% ± 3% of
 * another slice, never the calibration slice, to the premium tier: on synthetic prompts (always),
 * and on RouterBench (train to calibrate, test to check) where the data is present.
 */
class CalibrationTest {
  private static final double TARGET = 0.2;
  private static final double TOLERANCE = 0.03;

  /** The share of {@code prompts} a two-tier router calibrated at {@code threshold} sends to "premium". */
  private static double premiumShare(ComplexityScorer scorer, double threshold, List<String> prompts) {
    TieredRouter router = TieredRouter.builder().scorer(scorer).tier("cheap", 0, "cheap/mini")
        .tier("premium", threshold, "premium/big").defaultTier("cheap").minConfidence(0).build();
    int premium = 0;
    for (String p : prompts) {
      premium += router.choose(ChatRequest.of("auto", p)).tier().name().equals("premium") ? 1 : 0;
    }
    return premium / (double) prompts.size();
  }

  private static double calibrated(ComplexityScorer scorer, List<String> prompts) {
    List<ChatRequest> sample = new ArrayList<>();
    for (String p : prompts) {
      sample.add(ChatRequest.of("auto", p));
    }
    return TieredRouter.calibrate(scorer, sample, TARGET);
  }

  @Test
  void syntheticPrompts_heuristicAndTrained_holdTheirShareOnHeldOutPrompts() {
    List<SyntheticPrompts.Labelled> all = SyntheticPrompts.generate(11, 6_000);
    List<ComplexityModel.Example> training = new ArrayList<>();
    for (SyntheticPrompts.Labelled l : all.subList(0, 2_000)) {
      training.add(new ComplexityModel.Example(l.prompt(), l.hard()));
    }
    List<String> calibration = all.subList(2_000, 4_000).stream().map(SyntheticPrompts.Labelled::prompt).toList();
    List<String> heldOut = all.subList(4_000, 6_000).stream().map(SyntheticPrompts.Labelled::prompt).toList();
    ComplexityModel model = ComplexityModel.trainer().seed(3).train(training);

    for (ComplexityScorer scorer : List.of(ComplexityScorer.heuristic(), model)) {
      double threshold = calibrated(scorer, calibration);
      assertThat(premiumShare(scorer, threshold, calibration)).as(scorer + " on its calibration slice")
          .isCloseTo(TARGET, within(0.005));
      assertThat(premiumShare(scorer, threshold, heldOut)).as(scorer + " on held-out prompts")
          .isCloseTo(TARGET, within(TOLERANCE));
    }
  }

  /**
   * The heuristic learns nothing from train, so all of train calibrates it. The trained model is
   * fitted to 70% of train and calibrated on the other 30% (its scores on its own training prompts
   * would not be those of new traffic). The share on test is then off by the sampling error of two
   * samples of about 670 and 947 prompts: about 2 points, one standard deviation.
   */
  @Test
  void routerBench_calibratedOnTrain_holdsItsShareOnTest() throws Exception {
    Path dir = RoutingData.dir().resolve("routerbench_subset");
    RoutingTable all = RoutingTable.readRouterBench("RouterBench", List.of(
        dir.resolve("routerbench_arc_challenge.csv"), dir.resolve("routerbench_mbpp.csv"),
        dir.resolve("routerbench_winogrande.csv")));
    RoutingTable train = all.split("train");
    List<String> test = all.split("test").prompts().stream().map(RoutingTable.Prompt::text).toList();
    List<String> wholeTrain = train.prompts().stream().map(RoutingTable.Prompt::text).toList();
    List<ComplexityModel.Example> fit = new ArrayList<>();
    List<String> calibration = new ArrayList<>();
    Random random = new Random(1);
    for (int r = 0; r < train.size(); r++) {
      String text = train.prompts().get(r).text();
      double strong = train.quality("gpt-4-1106-preview", r);
      double weak = train.quality("mistralai/mixtral-8x7b-chat", r);
      if (random.nextDouble() < 0.3) {
        calibration.add(text);
      } else if (!Double.isNaN(strong) && !Double.isNaN(weak)) {
        fit.add(ComplexityModel.Example.fromOutcomes(text, strong, weak));
      }
    }
    ComplexityModel model = ComplexityModel.trainer().train(fit);
    ComplexityScorer heuristic = ComplexityScorer.heuristic();

    assertThat(premiumShare(heuristic, calibrated(heuristic, wholeTrain), test)).as("heuristic on RouterBench test")
        .isCloseTo(TARGET, within(TOLERANCE));
    assertThat(premiumShare(model, calibrated(model, calibration), test)).as("trained on RouterBench test")
        .isCloseTo(TARGET, within(TOLERANCE));
  }
}
