"""WCAG 2 contrast of colours, for whatever draws them (the HTML report's charts, the terminal UI's palette)."""

from __future__ import annotations

RGB = tuple[int, int, int]


def linear(channel: int) -> float:
    """An sRGB channel (0 to 255) as linear light (0 to 1)."""
    value = channel / 255
    return value / 12.92 if value <= 0.04045 else ((value + 0.055) / 1.055) ** 2.4


def luminance(rgb: RGB) -> float:
    """WCAG 2 relative luminance of an opaque colour."""
    red, green, blue = rgb
    return 0.2126 * linear(red) + 0.7152 * linear(green) + 0.0722 * linear(blue)


def contrast(first: RGB, second: RGB) -> float:
    """WCAG 2 contrast ratio of two opaque colours (1 to 21)."""
    lighter, darker = sorted((luminance(first), luminance(second)), reverse=True)
    return (lighter + 0.05) / (darker + 0.05)
