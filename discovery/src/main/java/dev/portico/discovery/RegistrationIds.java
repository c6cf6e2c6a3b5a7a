package dev.portico.discovery;

import java.security.SecureRandom;
import java.util.SplittableRandom;
import java.util.UUID;

/**
 * Registration ids for a bulk publication: random (version 4) UUIDs, as Service Discovery makes
 * them, drawn from a generator seeded once per bulk from {@link SecureRandom} instead of asking it
 * for every id ({@code UUID.randomUUID}: 50,000 configured instances spent ~60 ms there at
 * start-up). Ids must be unique among every gateway sharing a registry, not unguessable (the admin
 * API that takes them needs its token): a 64-bit random seed per bulk keeps two bulks' sequences
 * apart.
 */
final class RegistrationIds {

  private static final SecureRandom SEEDS = new SecureRandom();

  private final SplittableRandom random = new SplittableRandom(SEEDS.nextLong());

  String next() {
    long msb = (random.nextLong() & ~0xF000L) | 0x4000L; // version 4
    long lsb =
        (random.nextLong() & 0x3FFF_FFFF_FFFF_FFFFL) | 0x8000_0000_0000_0000L; // IETF variant
    return new UUID(msb, lsb).toString();
  }
}
