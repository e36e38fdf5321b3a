"""The colours of stances and statuses, drawn from the theme and made legible on it.

Each stance takes a colour of the theme (`$error` for opposes, `$success` for
supports, `$primary` for demands, ...), adjusted where needed: its hue is
turned away from the colours already given (the two ends of the axis,
demands and opposes, at least `AXIS_APART` degrees apart), its saturation
raised so that the hue reads, and its lightness moved until it stands at
`TARGET` or better (WCAG contrast) against every background the UI draws it
on. Dates and other secondary text take `muted`: the theme's foreground,
faded towards the background only as far as it stays legible. A theme of
ANSI colours (the terminal's own palette) takes named ANSI colours, checked
against the palette Textual assumes for the terminal.

The palette is worked out again whenever the theme changes (`TrackerApp`).
"""

from __future__ import annotations

import math
from colorsys import hls_to_rgb, rgb_to_hls
from dataclasses import dataclass, field

from rich.color import Color as RichColor
from rich.style import Style
from rich.terminal_theme import TerminalTheme
from textual.color import Color
from textual.theme import Theme

from tracker.domain import colours
from tracker.domain.machines import Stance

AA = 4.5  # WCAG's contrast for normal text
TARGET = 4.6  # what the colours are made to reach: a margin over AA for rounding to 8 bits a channel
AXIS_APART = 120.0  # degrees of seen hue between the two ends of the axis (demands, opposes), at least
DISTINCT_HUES = 30.0  # between any two stance colours, where the wheel leaves room
MIN_SATURATION = 0.45  # below this a hue hardly reads
MUTED_FADE = 0.45  # how far secondary text fades towards the background, at most

# Where each stance's colour comes from, in the order they are placed (a later one gives way to an earlier).
STANCE_SOURCES: dict[Stance, str] = {
    Stance.OPPOSES: "error",
    Stance.SUPPORTS: "success",
    Stance.DEMANDS: "primary",
    Stance.OPEN: "warning",
    Stance.AGREED: "secondary",
    Stance.COUNTER_PROPOSAL: "accent",
}
# The two ends of the axis: kept at least AXIS_APART apart.
AXIS = (Stance.DEMANDS, Stance.OPPOSES)
# An issue's status takes the colour of the stance it reads like; `not_on_agenda` is muted.
STATUS_AS = {
    "deadlocked": Stance.OPPOSES,
    "in_play": Stance.OPEN,
    "converging": Stance.SUPPORTS,
    "agreed": Stance.AGREED,
    "partly_implemented": Stance.AGREED,
    "implemented": Stance.AGREED,
}
# A theme of the terminal's ANSI colours: candidates for each stance, the first that reads is taken.
ANSI_CANDIDATES: dict[Stance, tuple[str, ...]] = {
    Stance.OPPOSES: ("red", "bright_red"),
    Stance.SUPPORTS: ("green", "bright_green"),
    Stance.DEMANDS: ("cyan", "bright_cyan", "blue", "bright_blue"),
    Stance.OPEN: ("yellow", "bright_yellow"),
    Stance.AGREED: ("blue", "bright_blue", "bright_cyan"),
    Stance.COUNTER_PROPOSAL: ("magenta", "bright_magenta", "bright_yellow"),
}
ANSI_NAMES = (
    "black",
    "red",
    "green",
    "yellow",
    "blue",
    "magenta",
    "cyan",
    "white",
    "bright_black",
    "bright_red",
    "bright_green",
    "bright_yellow",
    "bright_blue",
    "bright_magenta",
    "bright_cyan",
    "bright_white",
)


def luminance(color: Color) -> float:
    """WCAG 2 relative luminance of an opaque colour."""
    return colours.luminance(color.rgb)


def contrast(first: Color, second: Color) -> float:
    """WCAG 2 contrast ratio of two opaque colours (1 to 21)."""
    return colours.contrast(first.rgb, second.rgb)


def hue_distance(first: float, second: float) -> float:
    """Degrees between two hues on the wheel (0 to 180)."""
    apart = abs(first - second) % 360
    return min(apart, 360 - apart)


def hue_of(color: Color) -> float:
    """The hue of a colour as the eye sees it: its angle in OKLab (in degrees, 0 to 360)."""

    red, green, blue = (colours.linear(c) for c in color.rgb)
    long = (0.4122214708 * red + 0.5363325363 * green + 0.0514459929 * blue) ** (1 / 3)
    medium = (0.2119034982 * red + 0.6806995451 * green + 0.1073969566 * blue) ** (1 / 3)
    short = (0.0883024619 * red + 0.2817188376 * green + 0.6299787005 * blue) ** (1 / 3)
    a = 1.9779984951 * long - 2.4285922050 * medium + 0.4505937099 * short
    b = 0.0259040371 * long + 0.7827717662 * medium - 0.8086757660 * short
    return math.degrees(math.atan2(b, a)) % 360


def _hls(color: Color) -> tuple[float, float, float]:
    red, green, blue = (c / 255 for c in color.rgb)
    hue, light, saturation = rgb_to_hls(red, green, blue)
    return hue * 360, light, saturation


def _from_hls(hue: float, light: float, saturation: float) -> Color:
    red, green, blue = hls_to_rgb((hue % 360) / 360, min(1.0, max(0.0, light)), min(1.0, max(0.0, saturation)))
    return Color(round(red * 255), round(green * 255), round(blue * 255))


def worst_contrast(color: Color, backgrounds: list[Color]) -> float:
    return min(contrast(color, background) for background in backgrounds)


def _chroma(color: Color) -> int:
    return max(color.rgb) - min(color.rgb)


def _lightness_for(hue: float, light: float, saturation: float, backgrounds: list[Color]) -> Color:
    """The colour of this hue and saturation whose lightness is the nearest to `light` that reaches TARGET on
    every background: lighter on dark backgrounds, darker on light ones."""
    start = _from_hls(hue, light, saturation)
    if worst_contrast(start, backgrounds) >= TARGET:
        return start
    dark = sum(luminance(b) for b in backgrounds) / len(backgrounds) < 0.18
    low, high = (light, 1.0) if dark else (0.0, light)
    end = _from_hls(hue, high if dark else low, saturation)
    if worst_contrast(end, backgrounds) < TARGET:
        return end  # the lightest (darkest) there is: the backgrounds leave no better
    for _ in range(24):
        middle = (low + high) / 2
        reaches = worst_contrast(_from_hls(hue, middle, saturation), backgrounds) >= TARGET
        if reaches == dark:
            high = middle
        else:
            low = middle
    return _from_hls(hue, high if dark else low, saturation)


def legible(color: Color, backgrounds: list[Color], vivid: bool = True) -> Color:
    """`color` with its lightness moved (its hue kept) just far enough to reach TARGET on every background.

    Where that washes it out, full saturation is tried too (if `vivid`), and the more colourful of the two is
    taken.
    """
    if worst_contrast(color, backgrounds) >= TARGET:
        return color
    hue, light, saturation = _hls(color)
    own = _lightness_for(hue, light, saturation, backgrounds)
    if not vivid:
        return own
    full = _lightness_for(hue, light, 1.0, backgrounds)
    fits = [c for c in (own, full) if worst_contrast(c, backgrounds) >= TARGET]
    return max(fits, key=_chroma) if fits else max((own, full), key=lambda c: worst_contrast(c, backgrounds))


def _free_hue(
    hls: tuple[float, float, float], placed: list[tuple[Stance, float]], stance: Stance, apart: float, axis: float
) -> float | None:
    """The hue (of HLS) nearest the colour's own whose colour keeps `apart` degrees of seen hue (OKLab) from every
    colour placed (`axis` between the axis' ends); None if the wheel has no such room."""
    hue, light, saturation = hls

    def needed(other: Stance) -> float:
        return axis if {stance, other} == set(AXIS) else apart

    for step in range(0, 181):
        for candidate in (hue + step, hue - step):
            seen = hue_of(_from_hls(candidate, light, saturation))
            if all(hue_distance(seen, h) >= needed(other) for other, h in placed):
                return candidate % 360
    return None


def _place(colors: dict[Stance, Color], axis: float) -> dict[Stance, Color]:
    """Each colour's hue turned, where needed, away from those placed before it; saturation raised to read."""
    placed: list[tuple[Stance, float]] = []
    result: dict[Stance, Color] = {}
    for stance, color in colors.items():
        hue, light, saturation = _hls(color)
        light = min(max(light, 0.25), 0.75)  # a colour near black or white shows no hue
        saturation = max(saturation, MIN_SATURATION)
        for apart in (DISTINCT_HUES, 20.0, 10.0, 0.0):
            free = _free_hue((hue, light, saturation), placed, stance, apart, axis)
            if free is not None:
                hue = free
                break
        result[stance] = _from_hls(hue, light, saturation)
        placed.append((stance, hue_of(result[stance])))
    return result


@dataclass(frozen=True)
class Palette:
    """The styles the UI draws stances, statuses and secondary text in, for one theme."""

    stance: dict[Stance, Style]
    status: dict[str, Style]
    muted: Style
    shown: dict[str, Color] = field(default_factory=dict)  # each colour as it shows: "stance:demands", "muted"

    def stance_style(self, stance: Stance | str) -> Style:
        return self.stance[Stance(stance)]

    def status_style(self, status: str) -> Style:
        return self.status.get(status, self.muted)


def _solid(value: str, under: Color) -> Color:
    """A theme colour as it shows over `under` (alpha blended)."""
    color = Color.parse(value)
    return under.blend(color.with_alpha(1.0), color.a) if color.a < 1 else color


def backgrounds(variables: dict[str, str], dark: bool) -> list[Color]:
    """The backgrounds stance and status colours are drawn on: the screen, the title bars, the tables (their
    zebra stripes), each with the tint a focused table takes."""
    background = Color.parse(variables["background"])
    surface = _solid(variables["surface"], background)
    foreground = _solid(variables["foreground"], background)
    stripe = (
        surface.blend(_solid(variables["surface-darken-1"], surface), 0.4)
        if dark
        else surface.blend(_solid(variables["surface-lighten-1"], surface), 0.5)
    )
    boosted = _solid(variables["boost"], background)
    panel = _solid(variables["panel"], background)
    found = [background, boosted, panel, surface, stripe]
    found += [b.blend(foreground, 0.05) for b in (surface, stripe)]  # `background-tint: $foreground 5%`
    return found


def _ansi(name: str, terminal: TerminalTheme) -> Color:
    index = ANSI_NAMES.index(name)
    triplet = terminal.ansi_colors[index]
    return Color(triplet.red, triplet.green, triplet.blue)


def ansi_palette(theme: Theme, terminal: TerminalTheme) -> Palette:
    """A theme of the terminal's own colours: named ANSI colours, checked against the terminal palette Textual
    assumes (its background, its foreground)."""
    background = Color(*terminal.background_color)
    foreground = Color(*terminal.foreground_color)
    placed: list[tuple[Stance, float]] = []
    stance: dict[Stance, Style] = {}
    shown: dict[str, Color] = {}
    for each, candidates in ANSI_CANDIDATES.items():
        readable = [name for name in candidates if contrast(_ansi(name, terminal), background) >= AA]
        apart = [
            name
            for name in readable
            if all(
                hue_distance(hue_of(_ansi(name, terminal)), h) >= (AXIS_APART if {each, other} == set(AXIS) else 1)
                for other, h in placed
            )
        ]
        if apart:
            name = apart[0]
            color = _ansi(name, terminal)
            placed.append((each, hue_of(color)))
            stance[each] = Style(color=RichColor.parse(name), bold=True)
        else:  # nothing of this terminal reads: the terminal's own foreground, in bold
            color = foreground
            stance[each] = Style(color="default", bold=True)
        shown[f"stance:{each.value}"] = color
    stance[Stance.UNKNOWN] = Style(color="default")
    shown[f"stance:{Stance.UNKNOWN.value}"] = foreground
    status = {name: stance[like] for name, like in STATUS_AS.items()}
    status["not_on_agenda"] = Style(color="default")
    shown.update({f"status:{name}": shown[f"stance:{like.value}"] for name, like in STATUS_AS.items()})
    shown["status:not_on_agenda"] = foreground
    shown["muted"] = foreground
    return Palette(stance, status, Style(color="default"), shown)


def palette_for(theme: Theme, terminal: TerminalTheme) -> Palette:
    """The palette of `theme` (`terminal`: the ANSI palette Textual assumes, for a theme of ANSI colours)."""
    if theme.ansi:
        return ansi_palette(theme, terminal)
    variables = {**theme.to_color_system().generate(), **theme.variables}
    grounds = backgrounds(variables, theme.dark)
    background = grounds[0]
    sources = {stance: _solid(variables[source], background) for stance, source in STANCE_SOURCES.items()}
    for axis in (AXIS_APART + 5, AXIS_APART + 15, AXIS_APART + 30, 180.0):  # lightening turns a hue a little
        colors = {stance: legible(color, grounds) for stance, color in _place(sources, axis).items()}
        if hue_distance(*(hue_of(colors[end]) for end in AXIS)) >= AXIS_APART:
            break
    foreground = _solid(variables["foreground"], background)
    muted = legible(foreground, grounds, vivid=False)
    for step in range(1, 10):  # faded towards the background as far as it stays legible
        faded = foreground.blend(background, MUTED_FADE * step / 9)
        if worst_contrast(faded, grounds) < TARGET:
            break
        muted = faded
    shown = {f"stance:{stance.value}": color for stance, color in colors.items()}
    shown[f"stance:{Stance.UNKNOWN.value}"] = muted
    stance_styles = {stance: Style(color=color.rich_color, bold=True) for stance, color in colors.items()}
    muted_style = Style(color=muted.rich_color)
    stance_styles[Stance.UNKNOWN] = muted_style
    status = {name: Style(color=colors[like].rich_color) for name, like in STATUS_AS.items()}
    status["not_on_agenda"] = muted_style
    shown.update({f"status:{name}": colors[like] for name, like in STATUS_AS.items()})
    shown["status:not_on_agenda"] = muted
    shown["muted"] = muted
    return Palette(stance_styles, status, muted_style, shown)


class _Current:
    """The palette in use: the app sets it when the theme changes; the widgets draw with it."""

    palette: Palette | None = None


def current() -> Palette:
    if _Current.palette is None:
        from rich.terminal_theme import DEFAULT_TERMINAL_THEME
        from textual.theme import BUILTIN_THEMES

        _Current.palette = palette_for(BUILTIN_THEMES["textual-dark"], DEFAULT_TERMINAL_THEME)
    return _Current.palette


def use(palette: Palette) -> None:
    _Current.palette = palette
