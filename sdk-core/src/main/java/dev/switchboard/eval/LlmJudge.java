package dev.switchboard.eval;

import dev.switchboard.ChatClient;
import dev.switchboard.ChatRequest;
import dev.switchboard.Message;
import java.util.Locale;
import java.util.Objects;
import java.util.concurrent.CompletableFuture;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * LLM-as-judge: a {@link Scorer} that asks a model, through any {@link ChatClient}, to grade an
 * answer by a rubric on an integer scale ({@code 1} to {@code 5} unless {@link Builder#scale} says
 * otherwise), and maps the grade to [0, 1]: {@code (grade - min) / (max - min)}.
 *
 * <p>The judge gets a system message telling it to grade strictly and to end its reply with a line
 * {@code SCORE: <n>}, and one user message with the rubric, the question (the example's last user
 * message), the reference when the example has one, and the answer. The grade is the number after
 * the last {@code SCORE:} (any case, {@code =} also accepted), or the whole reply when it is just a
 * number. A reply with no grade, or one outside the scale, fails with a {@link ScoringException};
 * a failed judge call fails with its {@link dev.switchboard.ChatException}. Either is recorded on
 * the item by the {@link Evaluation}, which goes on.
 *
 * <p>Calls are made with {@link ChatClient#chatAsync} at temperature 0, so judging holds no
 * thread. Immutable and thread-safe.
 */
public final class LlmJudge implements Scorer {
  private static final Pattern SCORE = Pattern.compile("(?i)score\\s*[:=]\\s*\\**\\s*(-?\\d+(?:\\.\\d+)?)");
  private static final Pattern BARE = Pattern.compile("\\s*(-?\\d+(?:\\.\\d+)?)\\s*\\.?\\s*");

  private final ChatClient client;
  private final String model;
  private final String rubric;
  private final int min;
  private final int max;

  private LlmJudge(Builder b) {
    this.client = b.client;
    this.model = b.model;
    this.rubric = b.rubric;
    this.min = b.min;
    this.max = b.max;
  }

  /** A judge that is {@code model} reached through {@code client}. */
  public static Builder builder(ChatClient client, String model) {
    return new Builder(client, model);
  }

  @Override
  public double score(Example example, String answer) {
    return scoreAsync(example, answer).join();
  }

  @Override
  public CompletableFuture<Double> scoreAsync(Example example, String answer) {
    ChatRequest request;
    try {
      request = request(example, answer);
    } catch (RuntimeException e) {
      return CompletableFuture.failedFuture(e);
    }
    return client.chatAsync(request).thenApply(response -> grade(example, response.text()));
  }

  /** What the judge is asked about {@code answer}. */
  public ChatRequest request(Example example, String answer) {
    StringBuilder user = new StringBuilder();
    user.append("RUBRIC:\n").append(rubric).append("\n\nQUESTION:\n").append(example.prompt());
    example.referenceText().ifPresent(r -> user.append("\n\nREFERENCE ANSWER:\n").append(r));
    user.append("\n\nANSWER TO GRADE:\n").append(answer);
    return ChatRequest.builder()
        .model(model)
        .addMessage(Message.system("You are a strict, consistent grader. Grade the ANSWER TO GRADE against the "
            + "RUBRIC" + (example.reference().isPresent() ? ", using the REFERENCE ANSWER as the correct one" : "")
            + ". Give one or two sentences of reasoning, then end with a line 'SCORE: <n>', where <n> is an "
            + "integer from " + min + " (worst) to " + max + " (best)."))
        .addMessage(Message.user(user.toString()))
        .temperature(0.0)
        .build();
  }

  /** The judge's reply as a score in [0, 1]; see the class doc. */
  double grade(Example example, String reply) {
    double grade = Double.NaN;
    Matcher m = SCORE.matcher(reply);
    while (m.find()) {
      grade = Double.parseDouble(m.group(1));
    }
    if (Double.isNaN(grade)) {
      Matcher bare = BARE.matcher(reply);
      if (bare.matches()) {
        grade = Double.parseDouble(bare.group(1));
      }
    }
    if (Double.isNaN(grade)) {
      throw new ScoringException("judge " + model + " gave no 'SCORE: <n>' for example '" + example.id() + "': "
          + shorten(reply));
    }
    if (grade < min || grade > max) {
      throw new ScoringException(String.format(Locale.ROOT, "judge %s gave %s for example '%s', outside its scale "
          + "%d to %d", model, plain(grade), example.id(), min, max));
    }
    return (grade - min) / (max - min);
  }

  private static String plain(double v) {
    return v == Math.rint(v) ? Long.toString((long) v) : Double.toString(v);
  }

  private static String shorten(String s) {
    String oneLine = s.replaceAll("\\s+", " ").strip();
    return oneLine.length() > 120 ? oneLine.substring(0, 120) + "…" : oneLine;
  }

  @Override
  public String name() {
    return "judge:" + model;
  }

  public String model() {
    return model;
  }

  public String rubric() {
    return rubric;
  }

  @Override
  public String toString() {
    return "LlmJudge[" + model + ", scale " + min + ".." + max + "]";
  }

  /** Not thread-safe. {@link #build()} requires a rubric. */
  public static final class Builder {
    private final ChatClient client;
    private final String model;
    private String rubric;
    private int min = 1;
    private int max = 5;

    private Builder(ChatClient client, String model) {
      this.client = Objects.requireNonNull(client, "client");
      if (model == null || model.isBlank()) {
        throw new IllegalArgumentException("LlmJudge needs the judge's model string, e.g. \"openai/gpt-4o\"");
      }
      this.model = model;
    }

    /** What a good answer is, in words: the criteria the judge grades by. Required. */
    public Builder rubric(String rubric) {
      this.rubric = rubric;
      return this;
    }

    /** The integer grades the judge gives, worst to best; 1 to 5 by default. */
    public Builder scale(int min, int max) {
      if (max <= min) {
        throw new IllegalArgumentException("LlmJudge.scale needs min < max, got " + min + " and " + max);
      }
      this.min = min;
      this.max = max;
      return this;
    }

    public LlmJudge build() {
      if (rubric == null || rubric.isBlank()) {
        throw new IllegalArgumentException("LlmJudge.rubric is required: the criteria the judge grades by");
      }
      return new LlmJudge(this);
    }
  }
}
