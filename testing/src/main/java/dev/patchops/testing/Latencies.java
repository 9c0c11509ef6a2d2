package dev.patchops.testing;

import java.util.Arrays;

/** Percentiles of latency samples for the benchmarks, nearest-rank, in milliseconds. */
public final class Latencies {
  private final long[] sortedNanos;

  private Latencies(long[] nanos) {
    this.sortedNanos = nanos.clone();
    Arrays.sort(sortedNanos);
  }

  public static Latencies ofNanos(long[] nanos) {
    return new Latencies(nanos);
  }

  public int count() {
    return sortedNanos.length;
  }

  public double percentileMs(double p) {
    if (sortedNanos.length == 0) {
      return 0;
    }
    int index = (int) Math.ceil(p * sortedNanos.length) - 1;
    return sortedNanos[Math.max(0, Math.min(sortedNanos.length - 1, index))] / 1e6;
  }

  public double maxMs() {
    return sortedNanos.length == 0 ? 0 : sortedNanos[sortedNanos.length - 1] / 1e6;
  }

  public double meanMs() {
    return Arrays.stream(sortedNanos).average().orElse(0) / 1e6;
  }
}
