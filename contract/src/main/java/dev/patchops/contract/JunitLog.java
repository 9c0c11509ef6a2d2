package dev.patchops.contract;

/**
 * How a test suite Job hands its JUnit report to the test-orchestrator: the XML between these two
 * lines of its log. It is the contract with whoever writes a suite image, so it lives here rather
 * than in the orchestrator that parses it.
 */
public final class JunitLog {
  public static final String BEGIN = "----- BEGIN PATCHOPS JUNIT -----";
  public static final String END = "----- END PATCHOPS JUNIT -----";

  private JunitLog() {}
}
