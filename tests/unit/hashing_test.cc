// The hashes identifiers are stored as, against published test vectors.

#include "broker/common/hashing.h"

#include <gtest/gtest.h>

namespace loyalty::broker {
namespace {

TEST(Hashing, Sha256MatchesTheStandardsVector) {
  EXPECT_EQ(Sha256Hex("abc"), "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
}

TEST(Hashing, KeyedHashMatchesRfc4231) {
  // RFC 4231, test case 2.
  EXPECT_EQ(KeyedHashHex("Jefe", "what do ya want for nothing?"),
            "5bdcc146bf60754e6a042426089575c75a003f089d2739839dec58b964ec3843");
}

TEST(Hashing, KeyedHashDependsOnTheKey) {
  EXPECT_EQ(KeyedHashHex("k1", "phone:79990000001"), KeyedHashHex("k1", "phone:79990000001"));
  EXPECT_NE(KeyedHashHex("k1", "phone:79990000001"), KeyedHashHex("k2", "phone:79990000001"));
  EXPECT_NE(KeyedHashHex("k1", "phone:79990000001"), Sha256Hex("phone:79990000001"));
}

}  // namespace
}  // namespace loyalty::broker
