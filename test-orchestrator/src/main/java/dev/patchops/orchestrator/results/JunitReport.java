package dev.patchops.orchestrator.results;

import dev.patchops.contract.model.TestCaseResult;
import dev.patchops.contract.model.TestCaseStatus;
import java.io.InputStream;
import java.util.ArrayList;
import java.util.List;
import javax.xml.stream.XMLInputFactory;
import javax.xml.stream.XMLStreamConstants;
import javax.xml.stream.XMLStreamException;
import javax.xml.stream.XMLStreamReader;

/**
 * Reads a JUnit XML report as a stream: a 10k-case report is megabytes, so nothing is held but the
 * kept cases, and those are capped. When the report lists fewer cases than its suites declare, the
 * declared counters win (Testkube's lesson: reports get cut short).
 */
public final class JunitReport {
  /** What a run keeps: enough to act on, bounded so one report cannot flood an event. */
  public record Limits(int maxCases, int maxMessageChars) {
    public static final Limits DEFAULT = new Limits(2000, 2000);
  }

  public record Parsed(
      int tests,
      int failures,
      int errors,
      int skipped,
      List<TestCaseResult> cases,
      int omittedCases) {}

  private static final XMLInputFactory FACTORY = XMLInputFactory.newFactory();

  static {
    // The report comes from the code under test: no DTDs, no external entities.
    FACTORY.setProperty(XMLInputFactory.SUPPORT_DTD, false);
    FACTORY.setProperty(XMLInputFactory.IS_SUPPORTING_EXTERNAL_ENTITIES, false);
  }

  private JunitReport() {}

  public static Parsed parse(InputStream xml, String suite, Limits limits) {
    int declaredTests = 0;
    int declaredFailures = 0;
    int declaredErrors = 0;
    int declaredSkipped = 0;
    int counted = 0;
    int countedFailures = 0;
    int countedErrors = 0;
    int countedSkipped = 0;
    int omitted = 0;
    List<TestCaseResult> cases = new ArrayList<>();
    try {
      XMLStreamReader r = FACTORY.createXMLStreamReader(xml);
      String caseName = null;
      long caseMillis = 0;
      TestCaseStatus status = null;
      String message = null;
      int depthInSuites = 0;
      while (r.hasNext()) {
        int event = r.next();
        if (event == XMLStreamConstants.START_ELEMENT) {
          switch (r.getLocalName()) {
            case "testsuite" -> {
              // Nested suites repeat their parents' totals; only the outermost suites count.
              if (depthInSuites++ == 0) {
                declaredTests += intAttr(r, "tests");
                declaredFailures += intAttr(r, "failures");
                declaredErrors += intAttr(r, "errors");
                declaredSkipped += intAttr(r, "skipped") + intAttr(r, "disabled");
              }
            }
            case "testcase" -> {
              String className = r.getAttributeValue(null, "classname");
              String name = r.getAttributeValue(null, "name");
              caseName = className == null || className.isBlank() ? name : className + "." + name;
              caseMillis = Math.round(doubleAttr(r, "time") * 1000);
              status = TestCaseStatus.PASSED;
              message = null;
            }
            case "failure", "error" -> {
              if (caseName != null) {
                status =
                    r.getLocalName().equals("failure")
                        ? TestCaseStatus.FAILED
                        : TestCaseStatus.ERROR;
                String m = r.getAttributeValue(null, "message");
                String type = r.getAttributeValue(null, "type");
                message = cap((type == null ? "" : type + ": ") + (m == null ? "" : m), limits);
              }
            }
            case "skipped" -> {
              if (caseName != null) {
                status = TestCaseStatus.SKIPPED;
              }
            }
            default -> {}
          }
        } else if (event == XMLStreamConstants.END_ELEMENT) {
          if ("testsuite".equals(r.getLocalName())) {
            depthInSuites--;
          } else if ("testcase".equals(r.getLocalName()) && caseName != null) {
            counted++;
            switch (status) {
              case FAILED -> countedFailures++;
              case ERROR -> countedErrors++;
              case SKIPPED -> countedSkipped++;
              default -> {}
            }
            if (cases.size() < limits.maxCases()) {
              cases.add(new TestCaseResult(suite, caseName, status, caseMillis, message));
            } else {
              omitted++;
            }
            caseName = null;
          }
        }
      }
    } catch (XMLStreamException e) {
      // A report cut off mid-way still yields what was read; the counters say the rest.
    }
    return new Parsed(
        Math.max(declaredTests, counted),
        Math.max(declaredFailures, countedFailures),
        Math.max(declaredErrors, countedErrors),
        Math.max(declaredSkipped, countedSkipped),
        cases,
        omitted);
  }

  private static String cap(String message, Limits limits) {
    return message.length() <= limits.maxMessageChars()
        ? message
        : message.substring(0, limits.maxMessageChars()) + "… (" + message.length() + " chars)";
  }

  private static int intAttr(XMLStreamReader r, String name) {
    String v = r.getAttributeValue(null, name);
    try {
      return v == null ? 0 : Integer.parseInt(v.trim());
    } catch (NumberFormatException e) {
      return 0;
    }
  }

  private static double doubleAttr(XMLStreamReader r, String name) {
    String v = r.getAttributeValue(null, name);
    try {
      return v == null ? 0 : Double.parseDouble(v.trim().replace(",", ""));
    } catch (NumberFormatException e) {
      return 0;
    }
  }
}
