"""Real candles shipped inside the package (Binance spot 5m, 2023); see dexagent/data/market."""

from __future__ import annotations

from pathlib import Path

from dexagent.core.errors import ConfigError

MARKET_DIR = Path(__file__).resolve().parents[2] / "data" / "market"
BUNDLED: dict[str, str] = {
    "ETH/USDT": "binance_spot_ETHUSDT_5m_2023.csv.gz",
    "BTC/USDT": "binance_spot_BTCUSDT_5m_2023.csv.gz",
}


def bundled_dataset(symbol: str) -> Path:
    """The path of the bundled 5m series for ``symbol`` ("ETH/USDT" or "BTC/USDT")."""
    key = symbol.strip().upper().replace("-", "/").replace("_", "/")
    name = BUNDLED.get(key)
    if name is None:
        raise ConfigError(
            f"no bundled market data for {symbol!r}; available: {', '.join(BUNDLED)} "
            "(Binance spot, 5m, 2023). For other markets run `dexagent data fetch`."
        )
    path = MARKET_DIR / name
    if not path.is_file():
        raise ConfigError(
            f"bundled data file {path} is missing from this installation; reinstall dexagent "
            "(the wheel ships dexagent/data/**) or fetch the data with `dexagent data fetch`"
        )
    return path
