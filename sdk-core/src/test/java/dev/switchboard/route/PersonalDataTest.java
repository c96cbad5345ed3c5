package dev.switchboard.route;

import static org.assertj.core.api.Assertions.assertThat;

import dev.switchboard.route.PersonalData.Kind;
import org.junit.jupiter.api.Test;

class PersonalDataTest {
  private final PersonalData all = PersonalData.all();

  private Kind only(String text) {
    var found = all.find(text);
    assertThat(found).as(text).hasSize(1);
    return found.get(0).kind();
  }

  @Test
  void cardNumbers_needAValidLuhnChecksum() {
    assertThat(only("card 4111 1111 1111 1111 please")).isEqualTo(Kind.CARD_NUMBER);
    assertThat(only("5500-0000-0000-0004")).isEqualTo(Kind.CARD_NUMBER);
    assertThat(all.find("card 4111 1111 1111 1112 please")).as("checksum fails").noneMatch(
        f -> f.kind() == Kind.CARD_NUMBER);
  }

  @Test
  void ibans_needAValidMod97Checksum() {
    assertThat(only("pay to GB82 WEST 1234 5698 7654 32 today")).isEqualTo(Kind.IBAN);
    assertThat(only("DE89370400440532013000")).isEqualTo(Kind.IBAN);
    assertThat(all.find("GB82 WEST 1234 5698 7654 33")).noneMatch(f -> f.kind() == Kind.IBAN);
  }

  @Test
  void emailsPhonesAndNationalIds() {
    assertThat(only("mail jane.doe+work@example.co.uk now")).isEqualTo(Kind.EMAIL);
    assertThat(only("call +44 20 7946 0958")).isEqualTo(Kind.PHONE);
    assertThat(only("call (555) 123-4567")).isEqualTo(Kind.PHONE);
    assertThat(only("my mobile is 020 7946 0958")).as("digit groups after a cue word").isEqualTo(Kind.PHONE);
    assertThat(all.find("the ids 020 7946 0958")).as("digit groups alone are not").isEmpty();
    assertThat(only("SSN 123-45-6789")).isEqualTo(Kind.NATIONAL_ID);
    assertThat(only("NI number AB 12 34 56 C")).isEqualTo(Kind.NATIONAL_ID);
  }

  @Test
  void ordinaryNumbersAreNotPersonalData() {
    for (String text : new String[] {"order 2024-12-06", "version 1.2.3", "it costs 12345 dollars",
        "between 10 and 20 percent", "ISO 8601 2026-12-07T00:00:00Z", "SSN 000-12-3456", "call 12"}) {
      assertThat(all.find(text)).as(text).isEmpty();
    }
  }

  @Test
  void findingsGiveKindAndPosition_neverTheText() {
    var f = all.find("x jane@example.com").get(0);
    assertThat(f.start()).isEqualTo(2);
    assertThat(f.end()).isEqualTo(18);
    assertThat(f.toString()).doesNotContain("jane");
  }
}
