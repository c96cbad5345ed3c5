package dev.switchboard.testkit;

/** Which self-hosted model server a {@link SelfHostedEmulator} plays. */
public enum ServerKind {
  VLLM("vLLM"),
  SGLANG("SGLang"),
  TGI("TGI"),
  LLAMA_CPP("llama.cpp");

  private final String label;

  ServerKind(String label) {
    this.label = label;
  }

  /** The server's name, e.g. {@code "llama.cpp"}. */
  public String label() {
    return label;
  }
}
