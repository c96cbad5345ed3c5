package dev.switchboard.examples;

import dev.switchboard.ChatClient;
import dev.switchboard.ChatRequest;
import dev.switchboard.ResponseFormat;
import dev.switchboard.Switchboard;
import dev.switchboard.providers.openai.OpenAiProvider;
import dev.switchboard.testkit.OpenAiEmulator;
import dev.switchboard.testkit.Reply;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The story's service: {@code rankDocuments(query, documents)} asks a model (by workload name,
 * {@code "ranker"}) to score each document 0–10 and returns the scores in document order. Which
 * model serves "ranker" is configuration, not code. Runs offline against the OpenAI emulator.
 */
public final class RankingService {
  private static final Pattern SCORE = Pattern.compile("(\\d+)\\s*:\\s*(\\d+(?:\\.\\d+)?)");
  private final ChatClient llm;

  public RankingService(ChatClient llm) {
    this.llm = llm;
  }

  /** A relevance score 0–10 per document, in the documents' order (0 for one the model left out). */
  public List<Double> rankDocuments(String query, List<String> documents) {
    StringBuilder prompt = new StringBuilder("Query: ").append(query).append("\nDocuments:\n");
    for (int i = 0; i < documents.size(); i++) {
      prompt.append(i + 1).append(". ").append(documents.get(i)).append('\n');
    }
    String answer = llm.chat(ChatRequest.builder().model("ranker")
        .system("Score each document's relevance to the query from 0 to 10. Answer one line per document: "
            + "<number>: <score>.")
        .user(prompt.toString()).temperature(0.0).maxOutputTokens(200).responseFormat(ResponseFormat.TEXT).build())
        .text();
    List<Double> scores = new ArrayList<>(java.util.Collections.nCopies(documents.size(), 0.0));
    Matcher m = SCORE.matcher(answer);
    while (m.find()) {
      int doc = Integer.parseInt(m.group(1)) - 1;
      if (doc >= 0 && doc < documents.size()) {
        scores.set(doc, Math.min(10, Double.parseDouble(m.group(2))));
      }
    }
    return scores;
  }

  public static void main(String[] args) {
    try (OpenAiEmulator emulator = OpenAiEmulator.start();
        Switchboard llm = Switchboard.builder()
            .provider(OpenAiProvider.builder().name("deepseek").baseUrl(emulator.baseUrl()).build())
            .alias("ranker", "deepseek/deepseek-v4-flash").build()) {
      emulator.enqueue(Reply.text("1: 9\n2: 3\n3: 7"));
      List<Double> scores = new RankingService(llm).rankDocuments("java http client timeouts", List.of(
          "Setting connect and request timeouts on java.net.http.HttpClient",
          "A history of the HTTP protocol",
          "Retry policies for flaky HTTP calls in Java"));
      System.out.println("scores: " + scores);
    }
  }
}
