/**
 * Internal machinery of the engine: the request and ingest pipelines, popularity boards, ranking,
 * metrics. Public only so that the engine in the parent package can wire it; not an API, and it may
 * change in any release.
 */
package dev.personalization.internal;
