package dev.personalization;

/**
 * The root of every exception the library throws on purpose. Unchecked: callers catch the subclass
 * that names the condition they can handle.
 */
public class PersonalizationException extends RuntimeException {

  public PersonalizationException(String message) {
    super(message);
  }

  public PersonalizationException(String message, Throwable cause) {
    super(message, cause);
  }
}
