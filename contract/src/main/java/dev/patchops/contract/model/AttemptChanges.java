package dev.patchops.contract.model;

import java.util.List;

/**
 * How a test run compares with the previous attempt of its ticket, whichever revision that was, so
 * a developer shipping revision 2 sees what it fixed and what it broke. Tests are named {@code
 * suite / name}. {@code stillFailing} failed in both; {@code flaky} both passed and failed on this
 * run's image (across all the ticket's attempts of that image), so its outcome says nothing about
 * the change.
 */
public record AttemptChanges(
    int previousAttempt,
    int previousRevision,
    List<String> newlyFailing,
    List<String> fixed,
    List<String> stillFailing,
    List<String> flaky,
    String summary) {}
