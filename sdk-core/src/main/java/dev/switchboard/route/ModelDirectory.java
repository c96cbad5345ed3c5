package dev.switchboard.route;

import dev.switchboard.ModelNotFoundException;
import java.util.Map;
import java.util.Set;

/**
 * Where model strings lead: aliases (a workload's name, such as {@code "ranker"}) and {@code
 * "provider/model"} strings, resolved to the {@link ModelRef} an attempt goes to. A directory is an
 * immutable snapshot; a {@link dev.switchboard.Switchboard} holds one and can swap it for another
 * at runtime ({@code Switchboard.directory(next)}), so switching a workload to another model is a
 * one-string change that calls already in flight do not notice. Implementations are immutable and
 * thread-safe; {@link #resolve} is fast and never blocks.
 */
public interface ModelDirectory {

  /**
   * The model {@code modelString} names: an alias followed to its end, else {@code
   * "provider/model"} for a known provider. Throws {@link ModelNotFoundException} (with the names
   * that do exist and the closest of them) when it names nothing known.
   */
  ModelRef resolve(String modelString);

  /** The aliases and what each stands for, as defined. */
  Map<String, String> aliases();

  /** The provider names this directory resolves to. */
  Set<String> providers();

  /**
   * A directory of {@code aliases} over {@code providers}: every alias must end, through other
   * aliases and without a cycle, at {@code "provider/model"} of one of them, and no alias may be
   * named like a provider; otherwise {@link IllegalArgumentException} names the alias at fault.
   */
  static ModelDirectory of(Set<String> providers, Map<String, String> aliases) {
    return new AliasDirectory(providers, aliases);
  }
}
