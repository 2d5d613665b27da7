import type { FullResult, Reporter, TestCase, TestResult } from '@playwright/test/reporter';

/**
 * Repeats each failure in a few lines at the very end of the run: the test,
 * the line of our code that was waiting, and the first lines of its error.
 *
 * The `list` reporter prints a failure in full as it happens, then only the
 * test's title at the end; a log kept by its tail (CI keeps the last lines)
 * loses which wait failed and why. Colours are stripped: the log is text.
 */
export default class FailuresLast implements Reporter {
  private failures: string[] = [];

  printsToStdio(): boolean {
    return true;
  }

  onTestEnd(test: TestCase, result: TestResult): void {
    if (result.status === test.expectedStatus) return;
    // A timeout's first error is the test's own ("Test timeout of …
    // exceeded", at its declaration); the wait that was under way follows.
    const errors = result.errors.length > 0 ? result.errors : [{ message: result.status }];
    const lines = [
      `✘ ${test.titlePath().filter(Boolean).join(' › ')} (try ${result.retry + 1}, ${result.status}, ${result.duration} ms)`,
    ];
    for (const error of errors) {
      const where = error.location;
      if (where) lines.push(`  at ${where.file.replace(/^.*\/end2end\//, '')}:${where.line}:${where.column}`);
      lines.push(
        ...plain(error.message ?? '')
          .split('\n')
          .filter((line) => line.trim() !== '')
          .slice(0, MESSAGE_LINES)
          .map((line) => `  ${line}`),
      );
    }
    this.failures.push(lines.join('\n'));
  }

  onEnd(_: FullResult): void {
    if (this.failures.length === 0) return;
    console.log(`\nFailures, in short (${this.failures.length}):`);
    for (const failure of this.failures) console.log(failure);
  }
}

/** How many lines of an error's message are repeated. */
const MESSAGE_LINES = 8;

/** `text` without its terminal colour codes. */
function plain(text: string): string {
  return text.replace(/\u001b\[[0-9;]*m/g, '');
}
