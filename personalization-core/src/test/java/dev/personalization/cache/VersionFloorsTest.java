package dev.personalization.cache;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import org.junit.jupiter.api.Test;

class VersionFloorsTest {

  @Test
  void aLiveFloorIsKeptAndAnsweredAgain() {
    VersionFloors floors = new VersionFloors(Duration.ofHours(1), 100);
    floors.raise("k", 7);

    assertEquals(7, floors.floor("k"));
    assertEquals(7, floors.floor("k"));
    assertEquals(1, floors.size());
    assertEquals(VersionFloors.NONE, floors.floor("other"));
  }

  @Test
  void anExpiredFloorIsDroppedByTheReadThatFindsIt() throws InterruptedException {
    VersionFloors floors = new VersionFloors(Duration.ofNanos(1), 100);
    floors.raise("k", 7);
    Thread.sleep(2);

    assertEquals(1, floors.size(), "no raise since, so no sweep");
    assertEquals(VersionFloors.NONE, floors.floor("k"));
    assertEquals(0, floors.size(), "the read dropped it, so later reads take the empty-map shortcut");
  }

  @Test
  void admitRejectsOlderVersionsAndRaisesToNewerOnes() {
    VersionFloors floors = new VersionFloors(Duration.ofHours(1), 100);
    assertTrue(floors.admit("k", 5, true));
    assertEquals(5, floors.floor("k"));

    assertFalse(floors.admit("k", 4, true), "older than the floor");
    assertEquals(5, floors.floor("k"));
    assertTrue(floors.admit("k", 5, true), "the same version again");
    assertTrue(floors.admit("k", 9, true));
    assertEquals(9, floors.floor("k"));
    assertFalse(floors.admit("k", 5, false));
    assertTrue(floors.admit("other", 0, false), "a check alone raises nothing");
    assertEquals(VersionFloors.NONE, floors.floor("other"));
  }

  @Test
  void admitIgnoresAnExpiredFloor() throws InterruptedException {
    VersionFloors floors = new VersionFloors(Duration.ofNanos(1), 100);
    floors.raise("k", 7);
    Thread.sleep(2);

    assertTrue(floors.admit("k", 3, true));
    assertEquals(VersionFloors.NONE, floors.floor("k"), "raised to 3 but already past the 1 ns retention");
  }
}
