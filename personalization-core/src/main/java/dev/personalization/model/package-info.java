/**
 * Scoring: the {@link dev.personalization.model.Predictor} SPI with pure-Java linear and logistic
 * models, and the {@link dev.personalization.model.RowAssembler} SPI that lays out model rows.
 */
package dev.personalization.model;
