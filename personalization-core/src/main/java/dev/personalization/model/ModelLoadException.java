package dev.personalization.model;

import dev.personalization.PersonalizationException;

/**
 * A model could not be loaded or does not fit the engine's rows: unreadable bytes, inputs whose
 * names, ranks, widths or element types do not match the feature columns, an output of the wrong
 * shape, or a model that fails on its warm-up rows. The message says what does not match.
 */
public class ModelLoadException extends PersonalizationException {

  private final String source;

  /**
   * @param source where the model came from (a path, a classpath resource, "bytes")
   * @param message what does not match
   */
  public ModelLoadException(String source, String message) {
    super("model " + source + ": " + message);
    this.source = source;
  }

  /** As {@link #ModelLoadException(String, String)}, with the underlying failure. */
  public ModelLoadException(String source, String message, Throwable cause) {
    super("model " + source + ": " + message, cause);
    this.source = source;
  }

  /** Where the model came from. */
  public String source() {
    return source;
  }
}
