"""TickBitmap of Uniswap V3: one bit per initialized (spaced) tick, in 256-bit words.

``words`` maps the signed word position (``compressed >> 8``) to the word, as the contract's
``mapping(int16 => uint256)``; absent words are zero.
"""

from __future__ import annotations

from dexagent.connectors.simulated.uniswap_v3.errors import V3Revert


def flip_tick(words: dict[int, int], tick: int, tick_spacing: int) -> None:
    if tick % tick_spacing:
        raise V3Revert("", f"tick {tick} is not a multiple of the tick spacing {tick_spacing}")
    compressed = tick // tick_spacing
    pos = compressed >> 8
    word = words.get(pos, 0) ^ (1 << (compressed & 0xFF))
    if word:
        words[pos] = word
    else:
        words.pop(pos, None)


def is_initialized(words: dict[int, int], tick: int, tick_spacing: int) -> bool:
    compressed = tick // tick_spacing
    return bool(words.get(compressed >> 8, 0) >> (compressed & 0xFF) & 1)


def next_initialized_tick_within_one_word(
    words: dict[int, int], tick: int, tick_spacing: int, lte: bool
) -> tuple[int, bool]:
    """The next initialized tick at or left of (``lte``) or right of ``tick``, within one word.

    Returns ``(next, initialized)``; when no bit is set in the word, ``next`` is the word's edge
    and ``initialized`` is False, exactly like the contract (so a swap steps word by word).
    """
    compressed = tick // tick_spacing  # floor, as the contract's "round towards -infinity"
    if lte:
        bit_pos = compressed & 0xFF
        masked = words.get(compressed >> 8, 0) & ((2 << bit_pos) - 1)
        if masked:
            return (compressed - bit_pos + masked.bit_length() - 1) * tick_spacing, True
        return (compressed - bit_pos) * tick_spacing, False
    compressed += 1
    bit_pos = compressed & 0xFF
    masked = (words.get(compressed >> 8, 0) >> bit_pos) << bit_pos
    if masked:
        lsb = (masked & -masked).bit_length() - 1
        return (compressed + lsb - bit_pos) * tick_spacing, True
    return (compressed + 255 - bit_pos) * tick_spacing, False
