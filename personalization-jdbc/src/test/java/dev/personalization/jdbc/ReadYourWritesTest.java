package dev.personalization.jdbc;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import org.junit.jupiter.api.Test;

class ReadYourWritesTest {

  @Test
  void pinsByPositionUntilEveryReplicaHasReplayed() {
    ReadYourWrites f = new ReadYourWrites(100, 0);
    f.recordWrite("user", List.of("a"), 500, 0);
    assertEquals(500, f.required("user", List.of("x", "a")).position());
    assertEquals(ReadYourWrites.NO_POSITION, f.required("user", List.of("x")).position());
    assertEquals(ReadYourWrites.NO_POSITION, f.required("item", List.of("a")).position(), "entities are separate");
    f.prune(499, 1);
    assertEquals(1, f.size());
    f.prune(500, 1);
    assertEquals(0, f.size());
  }

  @Test
  void pinsByDeadlineWithoutPositions() {
    ReadYourWrites f = new ReadYourWrites(100, 0);
    f.recordWrite("user", List.of("a"), ReadYourWrites.NO_POSITION, 1_000);
    assertTrue(f.required("user", List.of("a")).primaryOnlyAt(999));
    assertFalse(f.required("user", List.of("a")).primaryOnlyAt(1_000));
    f.prune(Long.MAX_VALUE, 999);
    assertEquals(1, f.size());
    f.prune(Long.MAX_VALUE, 1_000);
    assertEquals(0, f.size());
  }

  @Test
  void overflowFoldsIntoAFloorThatKeepsTheGuarantee() {
    ReadYourWrites f = new ReadYourWrites(2, 0);
    f.recordWrite("user", List.of("a"), 10, 0);
    f.recordWrite("user", List.of("b"), 30, 0);
    f.recordWrite("user", List.of("c"), 20, 500);
    assertEquals(0, f.size(), "folded");
    assertEquals(30, f.required("user", List.of("anyone")).position(), "every read now needs the highest position");
    assertTrue(f.required("item", List.of("anything")).primaryOnlyAt(499));
  }

  @Test
  void laterWritesRaiseThePin() {
    ReadYourWrites f = new ReadYourWrites(100, 0);
    f.recordWrite("user", List.of("a"), 10, 0);
    f.recordWrite("user", List.of("a"), 40, 0);
    f.recordWrite("user", List.of("a"), 20, 0);
    assertEquals(40, f.required("user", List.of("a")).position());
  }
}
