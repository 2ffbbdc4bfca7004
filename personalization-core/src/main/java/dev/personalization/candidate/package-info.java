/**
 * Candidate generation: the {@link dev.personalization.candidate.CandidateSource} SPI. The engine
 * itself maintains time-decayed popularity per scenario and per category from ingested events.
 */
package dev.personalization.candidate;
