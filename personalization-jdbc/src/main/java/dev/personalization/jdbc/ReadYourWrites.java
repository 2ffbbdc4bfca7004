package dev.personalization.jdbc;

import java.util.Collection;
import java.util.Iterator;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Remembers recent writes per entity so that reads of that entity can avoid replicas that have not
 * replayed them yet.
 *
 * <p>A write is pinned by the primary's WAL position after its commit (PostgreSQL) or, where the
 * database has no comparable positions or the position could not be read, by a deadline: reads of
 * the entity go to the primary until a replica reports a replay position at or past the pin, or
 * until the deadline. Pins are pruned once every replica (also those currently down, at their last
 * known position) has passed them. When more than {@code maxPins} entities are pinned, all pins
 * fold into a floor that applies to every read, so that memory stays bounded without ever giving
 * up the guarantee.
 *
 * <p>Thread-safe.
 */
final class ReadYourWrites {

  /** No WAL position requirement. */
  static final long NO_POSITION = -1;

  private record Pin(long position, long deadlineNanos) {
    Pin merge(Pin other) {
      return new Pin(Math.max(position, other.position), Math.max(deadlineNanos, other.deadlineNanos));
    }
  }

  /** What a read needs: a replica at or past {@code position}, and, before {@code deadlineNanos}, the primary. */
  record Requirement(long position, long deadlineNanos) {
    boolean primaryOnlyAt(long nowNanos) {
      return deadlineNanos - nowNanos > 0;
    }
  }

  private final ConcurrentHashMap<String, Pin> pins = new ConcurrentHashMap<>();
  private final AtomicLong floorPosition = new AtomicLong(NO_POSITION);
  private final AtomicLong floorDeadline;
  private final int maxPins;

  ReadYourWrites(int maxPins, long nowNanos) {
    this.maxPins = maxPins;
    this.floorDeadline = new AtomicLong(nowNanos);
  }

  /** Pins writes of {@code ids} committed at {@code position} (or {@link #NO_POSITION}) until {@code deadlineNanos}. */
  void recordWrite(String entity, Collection<String> ids, long position, long deadlineNanos) {
    Pin pin = new Pin(position, deadlineNanos);
    for (String id : ids) {
      pins.merge(key(entity, id), pin, Pin::merge);
    }
    if (pins.size() > maxPins) {
      foldIntoFloor();
    }
  }

  /** The requirement of a read of {@code ids}. */
  Requirement required(String entity, Collection<String> ids) {
    long position = floorPosition.get();
    long deadline = floorDeadline.get();
    if (!pins.isEmpty()) {
      for (String id : ids) {
        Pin p = pins.get(key(entity, id));
        if (p != null) {
          position = Math.max(position, p.position);
          if (p.deadlineNanos - deadline > 0) {
            deadline = p.deadlineNanos;
          }
        }
      }
    }
    return new Requirement(position, deadline);
  }

  /** Drops pins every replica has replayed ({@code minReplicaPosition}) and whose deadline passed. */
  void prune(long minReplicaPosition, long nowNanos) {
    for (Iterator<Map.Entry<String, Pin>> it = pins.entrySet().iterator(); it.hasNext();) {
      Map.Entry<String, Pin> e = it.next();
      Pin p = e.getValue();
      if (p.position <= minReplicaPosition && nowNanos - p.deadlineNanos >= 0) {
        // Remove only this exact pin: a concurrent write may have merged a newer one in.
        pins.remove(e.getKey(), p);
      }
    }
  }

  int size() {
    return pins.size();
  }

  private void foldIntoFloor() {
    for (Iterator<Map.Entry<String, Pin>> it = pins.entrySet().iterator(); it.hasNext();) {
      Map.Entry<String, Pin> e = it.next();
      Pin p = e.getValue();
      // Raise the floor before dropping the pin, so that no read in between misses both.
      floorPosition.accumulateAndGet(p.position, Math::max);
      floorDeadline.accumulateAndGet(p.deadlineNanos, (a, b) -> b - a > 0 ? b : a);
      pins.remove(e.getKey(), p);
    }
  }

  private static String key(String entity, String id) {
    // Ids never contain control characters (checked at the store's door), so NUL separates safely.
    return entity + '\u0000' + id;
  }
}
