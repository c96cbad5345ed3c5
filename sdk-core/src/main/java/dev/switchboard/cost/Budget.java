package dev.switchboard.cost;

import dev.switchboard.ChatRequest;
import dev.switchboard.route.CallMetadata;
import java.math.BigDecimal;
import java.time.DayOfWeek;
import java.time.Instant;
import java.time.LocalDate;
import java.time.ZoneOffset;
import java.time.ZonedDateTime;
import java.time.temporal.ChronoUnit;
import java.time.temporal.IsoFields;
import java.time.temporal.TemporalAdjusters;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.function.Function;
import java.util.regex.Pattern;

/**
 * One spending limit: a name, what it is counted per (the whole organisation, each tenant, user,
 * route or label value), a period and a limit in US dollars, optionally a different limit for
 * some scope values. {@link Budgets} checks every budget that applies to a call, so nesting is
 * declaring several: organisation ({@link Builder#global()}), team ({@code perLabel("team")}) and
 * key ({@code perUser()}) — each must allow the call. Immutable and thread-safe.
 *
 * <pre>{@code
 * Budget daily = Budget.builder("tenant-daily").perTenant().period(Budget.Period.DAY)
 *     .limit(10.00).limit("acme", 100.00).build();
 * }</pre>
 */
public final class Budget {
  /** The most a limit can be: stores count in nano-dollars, and Redis scripts in doubles exactly up to 2^53. */
  public static final BigDecimal MAX_LIMIT = new BigDecimal("9000000");
  private static final Pattern NAME = Pattern.compile("[A-Za-z0-9._-]{1,64}");

  /** A budget's period: fixed calendar windows in UTC, or one window for ever. */
  public enum Period {
    HOUR, DAY, WEEK, MONTH,
    /** Never resets. */
    TOTAL;

    /** The window {@code at} falls in, as text ({@code 2026-12-06}, {@code 2026-W49}, ...). */
    public String window(Instant at) {
      ZonedDateTime t = at.atZone(ZoneOffset.UTC);
      return switch (this) {
        case HOUR -> t.truncatedTo(ChronoUnit.HOURS).toLocalDateTime().toString();
        case DAY -> t.toLocalDate().toString();
        case WEEK -> t.get(IsoFields.WEEK_BASED_YEAR) + "-W" + String.format("%02d",
            t.get(IsoFields.WEEK_OF_WEEK_BASED_YEAR));
        case MONTH -> t.getYear() + "-" + String.format("%02d", t.getMonthValue());
        case TOTAL -> "total";
      };
    }

    /** When the window {@code at} falls in began; {@link Instant#EPOCH} for {@link #TOTAL}. */
    public Instant start(Instant at) {
      ZonedDateTime t = at.atZone(ZoneOffset.UTC);
      LocalDate day = t.toLocalDate();
      return switch (this) {
        case HOUR -> t.truncatedTo(ChronoUnit.HOURS).toInstant();
        case DAY -> day.atStartOfDay(ZoneOffset.UTC).toInstant();
        case WEEK -> day.with(TemporalAdjusters.previousOrSame(DayOfWeek.MONDAY)).atStartOfDay(ZoneOffset.UTC)
            .toInstant();
        case MONTH -> day.withDayOfMonth(1).atStartOfDay(ZoneOffset.UTC).toInstant();
        case TOTAL -> Instant.EPOCH;
      };
    }

    /** When the window {@code at} falls in ends; {@link Instant#MAX} for {@link #TOTAL}. */
    public Instant end(Instant at) {
      ZonedDateTime t = at.atZone(ZoneOffset.UTC);
      LocalDate day = t.toLocalDate();
      return switch (this) {
        case HOUR -> t.truncatedTo(ChronoUnit.HOURS).plusHours(1).toInstant();
        case DAY -> day.plusDays(1).atStartOfDay(ZoneOffset.UTC).toInstant();
        case WEEK -> day.with(TemporalAdjusters.next(DayOfWeek.MONDAY)).atStartOfDay(ZoneOffset.UTC).toInstant();
        case MONTH -> day.withDayOfMonth(1).plusMonths(1).atStartOfDay(ZoneOffset.UTC).toInstant();
        case TOTAL -> Instant.MAX;
      };
    }
  }

  private final String name;
  private final String scopeName;
  private final Function<ChatRequest, Optional<String>> scope;
  private final Period period;
  private final BigDecimal limit;
  private final Map<String, BigDecimal> limits;

  private Budget(Builder b) {
    this.name = b.name;
    this.scopeName = b.scopeName;
    this.scope = b.scope;
    this.period = b.period;
    this.limit = b.limit;
    this.limits = Map.copyOf(b.limits);
  }

  /** A budget named {@code name} (letters, digits, {@code . _ -}): the name in store keys and errors. */
  public static Builder builder(String name) {
    return new Builder(name);
  }

  public String name() {
    return name;
  }

  public Period period() {
    return period;
  }

  /** What the budget counts {@code request} under, or empty when it does not apply to it. */
  public Optional<String> scopeOf(ChatRequest request) {
    return scope.apply(request);
  }

  /** The limit for {@code scopeValue}: its own, else the default; empty when neither is set. */
  public Optional<BigDecimal> limitFor(String scopeValue) {
    BigDecimal own = limits.get(scopeValue);
    return Optional.ofNullable(own != null ? own : limit);
  }

  @Override
  public String toString() {
    return "Budget[" + name + ", per " + scopeName + ", " + period + ", "
        + (limit == null ? "no default limit" : "$" + limit.toPlainString()) + (limits.isEmpty() ? ""
        : ", " + limits.size() + " own limits") + "]";
  }

  /** Not thread-safe. */
  public static final class Builder {
    private final String name;
    private String scopeName;
    private Function<ChatRequest, Optional<String>> scope;
    private Period period;
    private BigDecimal limit;
    private final Map<String, BigDecimal> limits = new LinkedHashMap<>();

    private Builder(String name) {
      Objects.requireNonNull(name, "name");
      if (!NAME.matcher(name).matches()) {
        throw new IllegalArgumentException("budget name '" + name + "' must be 1-64 letters, digits, '.', '_' or '-'");
      }
      this.name = name;
    }

    /** One count for every call (the organisation). */
    public Builder global() {
      return scope("everything", r -> Optional.of("*"));
    }

    /** One count per tenant ({@link CallMetadata#tenant()}); calls without a tenant are not counted. */
    public Builder perTenant() {
      return scope("tenant", r -> nonEmpty(CallMetadata.of(r).tenant()));
    }

    /** One count per user or API key ({@link CallMetadata#user()}); calls without one are not counted. */
    public Builder perUser() {
      return scope("user", r -> nonEmpty(CallMetadata.of(r).user()));
    }

    /** One count per model string as called (an alias or route, such as {@code "ranker"}). */
    public Builder perRoute() {
      return scope("route", r -> Optional.of(r.model()));
    }

    /** One count per value of label {@code key} (e.g. {@code "team"}); calls without it are not counted. */
    public Builder perLabel(String key) {
      Objects.requireNonNull(key, "key");
      return scope("label " + key, r -> CallMetadata.of(r).label(key).filter(v -> !v.isEmpty()));
    }

    /** One count per value of {@code scope}; calls it gives no value for are not counted. */
    public Builder scope(String description, Function<ChatRequest, Optional<String>> scope) {
      this.scopeName = Objects.requireNonNull(description, "description");
      this.scope = Objects.requireNonNull(scope, "scope");
      return this;
    }

    public Builder period(Period period) {
      this.period = Objects.requireNonNull(period, "period");
      return this;
    }

    /** The limit, in dollars, for every scope value without its own. */
    public Builder limit(double dollars) {
      return limit(BigDecimal.valueOf(dollars));
    }

    public Builder limit(BigDecimal dollars) {
      this.limit = checked(dollars, "limit");
      return this;
    }

    /** The limit, in dollars, for one scope value (a negotiated tenant, a big team). */
    public Builder limit(String scopeValue, double dollars) {
      limits.put(Objects.requireNonNull(scopeValue, "scopeValue"), checked(BigDecimal.valueOf(dollars),
          "limit for '" + scopeValue + "'"));
      return this;
    }

    public Budget build() {
      if (scope == null) {
        throw new IllegalStateException("budget '" + name + "' needs a scope: global(), perTenant(), perUser(), "
            + "perRoute(), perLabel(key) or scope(...)");
      }
      if (period == null) {
        throw new IllegalStateException("budget '" + name + "' needs a period: period(Budget.Period.DAY) or another");
      }
      if (limit == null && limits.isEmpty()) {
        throw new IllegalStateException("budget '" + name + "' needs a limit: limit(dollars) or limit(value, dollars)");
      }
      return new Budget(this);
    }

    private BigDecimal checked(BigDecimal dollars, String what) {
      Objects.requireNonNull(dollars, what);
      if (dollars.signum() < 0 || dollars.compareTo(MAX_LIMIT) > 0) {
        throw new IllegalArgumentException("budget '" + name + "': " + what + " must be within [0, "
            + MAX_LIMIT.toPlainString() + "] dollars, got " + dollars.toPlainString());
      }
      return dollars;
    }

    private static Optional<String> nonEmpty(String s) {
      return s.isEmpty() ? Optional.empty() : Optional.of(s);
    }
  }
}
