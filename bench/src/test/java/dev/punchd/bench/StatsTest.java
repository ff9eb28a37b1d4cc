package dev.punchd.bench;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.List;
import org.junit.jupiter.api.Test;

class StatsTest {

  @Test
  void medianOfAnOddCountIsTheMiddleValue() {
    assertThat(Stats.median(List.of(9.0, 1.0, 5.0))).isEqualTo(5.0);
  }

  @Test
  void medianOfAnEvenCountIsTheMeanOfTheMiddleTwo() {
    assertThat(Stats.median(List.of(4.0, 1.0, 3.0, 2.0))).isEqualTo(2.5);
  }

  @Test
  void percentilesUseTheNearestRank() {
    List<Double> values = List.of(10.0, 20.0, 30.0, 40.0, 50.0, 60.0, 70.0, 80.0, 90.0, 100.0);
    assertThat(Stats.percentile(values, 90)).isEqualTo(90.0);
    assertThat(Stats.percentile(values, 91)).isEqualTo(100.0);
    assertThat(Stats.percentile(values, 100)).isEqualTo(100.0);
    assertThat(Stats.percentile(values, 1)).isEqualTo(10.0);
  }

  @Test
  void refusesNoValuesAndOutOfRangePercentiles() {
    assertThatThrownBy(() -> Stats.median(List.of())).hasMessageContaining("no values");
    assertThatThrownBy(() -> Stats.percentile(List.of(1.0), 0)).hasMessageContaining("got 0");
    assertThatThrownBy(() -> Stats.percentile(List.of(1.0), 101)).hasMessageContaining("got 101");
  }
}
