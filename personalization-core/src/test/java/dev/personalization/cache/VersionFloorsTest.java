package dev.personalization.cache;

import static org.junit.jupiter.api.Assertions.assertEquals;

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
}
