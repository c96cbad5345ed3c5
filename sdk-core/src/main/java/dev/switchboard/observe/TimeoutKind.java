package dev.switchboard.observe;

/** Which time limit ended a call or an attempt. */
public enum TimeoutKind {
  /** The whole call's deadline, across retries and fallbacks. */
  CALL,
  /** A stream produced no first event in time. */
  FIRST_EVENT,
  /** A stream went quiet between events for too long. */
  IDLE,
  /** A stream delivered fewer tokens per second than required during its probe window. */
  SLOW_STREAM
}
