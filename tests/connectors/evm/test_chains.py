"""Chain registry and L2 fee model."""

from __future__ import annotations

import pytest
from eth_abi.abi import decode as abi_decode
from eth_utils.address import is_checksum_address

from dexagent.connectors.evm.chains import (
    ARB_NODE_INTERFACE,
    CHAINS,
    OP_GAS_PRICE_ORACLE,
    L1FeeModel,
    arbitrum_l1_component_call,
    chain_by_id,
    op_l1_fee_call,
    total_fee_wei,
)
from dexagent.core.errors import ConfigError


def test_registry_holds_the_expected_chains() -> None:
    assert set(CHAINS) == {1, 42161, 10, 8453, 137, 31337}
    assert chain_by_id(137).native_symbol == "POL"


@pytest.mark.parametrize("chain_id", sorted(CHAINS))
def test_every_address_is_eip55_checksummed(chain_id: int) -> None:
    for name, addr in CHAINS[chain_id].addresses().items():
        assert is_checksum_address(addr), (chain_id, name, addr)
    assert is_checksum_address(OP_GAS_PRICE_ORACLE) and is_checksum_address(ARB_NODE_INTERFACE)


def test_l1_component_applies_only_on_chains_that_have_one() -> None:
    for c in CHAINS.values():
        fee = total_fee_wei(c, 100_000, 10**8, 5 * 10**12)
        if c.chain_id in (10, 8453, 42161):
            assert c.l1_fee_model is not L1FeeModel.NONE
            assert fee == 10**13 + 5 * 10**12
        else:
            assert fee == 10**13


def test_unknown_chain_names_the_known_ones() -> None:
    with pytest.raises(ConfigError, match="Base \\(8453\\)"):
        chain_by_id(56)


def test_fee_call_shapes_encode_their_arguments() -> None:
    to, data = op_l1_fee_call(b"\x02\xf0abc")
    assert to == OP_GAS_PRICE_ORACLE
    assert abi_decode(["bytes"], bytes.fromhex(data[10:]))[0] == b"\x02\xf0abc"
    target = "0x68b3465833fb72A70ecDF485E0e4C7bD8665Fc45"
    to, data = arbitrum_l1_component_call(target, b"\x12\x34")
    assert to == ARB_NODE_INTERFACE
    a, creation, body = abi_decode(["address", "bool", "bytes"], bytes.fromhex(data[10:]))
    assert a.lower() == target.lower() and creation is False and body == b"\x12\x34"
