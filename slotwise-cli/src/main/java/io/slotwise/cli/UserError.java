package io.slotwise.cli;

/** Bad input found by a command: printed as one line, exit code 1, nothing changed. */
final class UserError extends RuntimeException {
  UserError(String message) {
    super(message);
  }
}
