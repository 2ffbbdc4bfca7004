package dev.personalization;

/**
 * One recommended item and its score (higher is better; a probability for logistic models).
 *
 * @param itemId the item
 * @param score its score
 */
public record ScoredItem(String itemId, float score) {
}
