package dev.switchboard.examples.cli;

import java.math.BigDecimal;
import java.util.List;
import java.util.Locale;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import picocli.CommandLine.ITypeConverter;
import picocli.CommandLine.TypeConversionException;

/**
 * Option values the subcommands share: quantities written as {@code 500M}, {@code 10B}, {@code
 * 1.5K}, {@code 500_000_000} or {@code 500,000,000}. picocli prefixes each error with the option's
 * name. Stateless and thread-safe.
 */
final class Converters {
  private static final Pattern QUANTITY =
      Pattern.compile("(\\d{1,3}(?:,\\d{3})+|\\d+(?:_\\d+)*)(\\.\\d+)?([kKmMbBtT]?)");

  private Converters() {}

  /** {@code text} with its digit separators dropped and its K/M/B/T suffix applied; never negative. */
  static BigDecimal quantity(String text) {
    Matcher m = QUANTITY.matcher(text.strip());
    if (!m.matches()) {
      throw new TypeConversionException("'" + text + "' is not a non-negative number like 500M, 10B, 1.5K or "
          + "500_000_000");
    }
    BigDecimal digits = new BigDecimal(m.group(1).replace("_", "").replace(",", "")
        + (m.group(2) == null ? "" : m.group(2)));
    int exponent = switch (m.group(3).toUpperCase(Locale.ROOT)) {
      case "K" -> 3;
      case "M" -> 6;
      case "B" -> 9;
      case "T" -> 12;
      default -> 0;
    };
    return digits.scaleByPowerOfTen(exponent);
  }

  /** A whole number of tokens. */
  static final class Tokens implements ITypeConverter<Long> {
    @Override
    public Long convert(String text) {
      BigDecimal tokens = quantity(text);
      try {
        return tokens.longValueExact();
      } catch (ArithmeticException e) {
        throw new TypeConversionException("'" + text + "' is " + (tokens.stripTrailingZeros().scale() > 0
            ? "not a whole number of tokens" : "more tokens than fit in a long"));
      }
    }
  }

  /** A dollar amount, zero or more. */
  static final class Dollars implements ITypeConverter<Double> {
    @Override
    public Double convert(String text) {
      return quantity(text).doubleValue();
    }
  }

  /** A count of one or more: GPUs, months. */
  static final class Positive implements ITypeConverter<Integer> {
    @Override
    public Integer convert(String text) {
      try {
        int n = Integer.parseInt(text.strip().replace("_", ""));
        if (n > 0) {
          return n;
        }
      } catch (NumberFormatException e) {
        // falls through to the message below
      }
      throw new TypeConversionException("'" + text + "' is not a whole number of 1 or more");
    }
  }

  /** A fraction within [0, 1]. */
  static final class Share implements ITypeConverter<Double> {
    @Override
    public Double convert(String text) {
      try {
        double share = Double.parseDouble(text.strip());
        if (share >= 0 && share <= 1) {
          return share;
        }
      } catch (NumberFormatException e) {
        // falls through to the message below
      }
      throw new TypeConversionException("'" + text + "' is not a fraction between 0 and 1, like 0.75");
    }
  }

  /** One dollar rate ({@code 8}) or a range of two ({@code 8-14}), low end first. */
  record Range(double low, double high) {
    /** Both ends, or the one value when they are equal. */
    List<Double> ends() {
      return low == high ? List.of(low) : List.of(low, high);
    }
  }

  /** Reads a {@link Range}. */
  static final class Rates implements ITypeConverter<Range> {
    @Override
    public Range convert(String text) {
      String[] ends = text.split("-", -1);
      BigDecimal low;
      BigDecimal high;
      try {
        if (ends.length > 2) {
          throw new TypeConversionException("more than two ends");
        }
        low = quantity(ends[0]);
        high = ends.length == 1 ? low : quantity(ends[1]);
      } catch (TypeConversionException e) {
        throw new TypeConversionException("'" + text + "' is not a rate like 8 or a range like 8-14");
      }
      if (low.compareTo(high) > 0) {
        throw new TypeConversionException("'" + text + "' goes from high to low; write the low end first, e.g. 8-14");
      }
      return new Range(low.doubleValue(), high.doubleValue());
    }
  }
}
