/**
 * The engine's front door: {@link dev.personalization.PersonalizationEngine} and its builder, the
 * request, response and event value types, and the exceptions.
 */
package dev.personalization;
