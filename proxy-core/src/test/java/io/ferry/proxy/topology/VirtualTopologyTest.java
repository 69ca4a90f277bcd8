package io.ferry.proxy.topology;

import static org.assertj.core.api.Assertions.assertThat;

import java.math.BigInteger;
import java.net.InetAddress;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import org.junit.jupiter.api.Test;

class VirtualTopologyTest {

  @Test
  void should_spread_tokens_evenly_and_interleave_instances() throws Exception {
    // given
    VirtualTopology topology =
        new VirtualTopology(
            List.of(
                InetAddress.getByName("10.0.0.1"),
                InetAddress.getByName("10.0.0.2"),
                InetAddress.getByName("10.0.0.3")),
            0,
            8,
            9042);
    // when
    List<BigInteger> all = new ArrayList<>();
    for (int instance = 0; instance < 3; instance++) {
      topology.tokens(instance).forEach(token -> all.add(new BigInteger(token)));
    }
    all.sort(null);
    // then 24 distinct tokens, equally spaced, starting at the ring's minimum
    assertThat(all).hasSize(24).doesNotHaveDuplicates();
    assertThat(all.get(0)).isEqualTo(BigInteger.ONE.shiftLeft(63).negate());
    BigInteger step = all.get(1).subtract(all.get(0));
    for (int i = 1; i < all.size(); i++) {
      assertThat(all.get(i).subtract(all.get(i - 1))).isEqualTo(step);
    }
    assertThat(topology.tokens(1)).first().isEqualTo(all.get(1).toString());
  }

  @Test
  void should_give_one_instance_alone_eight_tokens_by_default() {
    // when
    var tokens = VirtualTopology.computeTokens(0, 1, 8);
    // then
    assertThat(tokens)
        .containsExactly(
            "-9223372036854775808",
            "-6917529027641081856",
            "-4611686018427387904",
            "-2305843009213693952",
            "0",
            "2305843009213693952",
            "4611686018427387904",
            "6917529027641081856");
  }

  @Test
  void should_derive_host_ids_as_sha1_name_based_uuids_of_the_address() throws Exception {
    // when
    UUID hostId = VirtualTopology.hostId(InetAddress.getByName("127.0.0.1"));
    // then: version 5 (SHA-1, nil namespace, 16-byte IPv4-mapped address), stable
    // (value computed independently with Python's hashlib, as Go's uuid.NewSHA1 does it)
    assertThat(hostId).isEqualTo(UUID.fromString("70ce2f37-9d6d-5010-98d8-80fe51a498ed"));
    assertThat(hostId.version()).isEqualTo(5);
    assertThat(hostId.variant()).isEqualTo(2);
    assertThat(hostId).isEqualTo(VirtualTopology.hostId(InetAddress.getByName("127.0.0.1")));
    assertThat(hostId).isNotEqualTo(VirtualTopology.hostId(InetAddress.getByName("127.0.0.2")));
  }
}
