// Package metricstest reads a Prometheus text exposition, as /metrics
// serves it, for tests: [Parse] and [Scrape] return the samples, and
// [Samples.Sum] adds up those of a metric whose labels match. It uses
// only the standard library.
package metricstest
