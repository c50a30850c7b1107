from __future__ import annotations

import cv2
import numpy as np
import pytest

from monitor.motion.flow import FlowFrame, can_follow, flow_frame, optical_flow

FRAME = (640, 480)


def texture(seed: int = 3) -> np.ndarray:
    """A street-like picture: blurred grain, so every patch has something to follow."""
    rng = np.random.default_rng(seed)
    grain = rng.integers(0, 256, (FRAME[1] + 40, FRAME[0] + 40, 3), dtype=np.uint8)
    return np.asarray(cv2.GaussianBlur(grain, (0, 0), 2.0), dtype=np.uint8)


def shifted(image: np.ndarray, dx: int, dy: int) -> np.ndarray:
    """The frame's window of `image` after the picture moved by (dx, dy) pixels."""
    return np.ascontiguousarray(image[20 - dy : 20 - dy + FRAME[1], 20 - dx : 20 - dx + FRAME[0]])


@pytest.mark.parametrize(
    ("dx", "dy"),
    [
        pytest.param(0, 0, id="still"),
        pytest.param(6, 0, id="right"),
        pytest.param(0, -4, id="up"),
        pytest.param(-4, 6, id="down-left"),
    ],
)
def test_flow_is_the_pictures_move_in_full_frame_pixels(dx: int, dy: int) -> None:
    image = texture()
    # Half width: the flow runs on a small copy but answers in the frame's own pixels.
    before = flow_frame(shifted(image, 0, 0), 320, captured_at=10.0)
    after = flow_frame(shifted(image, dx, dy), 320, captured_at=10.5)
    flow = optical_flow(before, after)
    inner = (slice(40, -40), slice(40, -40))  # the edges see picture coming in from outside
    assert float(np.median(flow.dx[inner])) == pytest.approx(dx, abs=0.3)
    assert float(np.median(flow.dy[inner])) == pytest.approx(dy, abs=0.3)
    assert flow.dt_s == pytest.approx(0.5)
    assert flow.frame_size == FRAME


def test_a_flow_frame_is_small_grey_and_remembers_its_frame() -> None:
    small = flow_frame(texture()[:480, :640], 320, captured_at=1.0)
    assert small.grey.shape == (240, 320)
    assert small.grey.dtype == np.uint8
    assert small.frame_size == FRAME
    # Never enlarged: a small camera's frame is used as it is.
    tiny = flow_frame(texture()[:120, :160], 320, captured_at=1.0)
    assert tiny.grey.shape == (120, 160)


def frame_at(at: float, size: tuple[int, int] = (320, 240)) -> FlowFrame:
    return FlowFrame(np.zeros((size[1], size[0]), np.uint8), (size[0] * 2, size[1] * 2), at)


@pytest.mark.parametrize(
    ("previous", "current", "follows"),
    [
        pytest.param(frame_at(10.0), frame_at(10.5), True, id="next-frame"),
        pytest.param(frame_at(10.0), frame_at(12.0), True, id="at-the-limit"),
        pytest.param(frame_at(10.0), frame_at(12.5), False, id="after-a-gap"),
        pytest.param(frame_at(10.0), frame_at(10.0), False, id="same-time"),
        pytest.param(frame_at(10.5), frame_at(10.0), False, id="older"),
        pytest.param(frame_at(10.0), frame_at(10.5, (160, 120)), False, id="new-picture-size"),
    ],
)
def test_flow_follows_only_close_frames_of_one_picture(
    previous: FlowFrame, current: FlowFrame, follows: bool
) -> None:
    assert can_follow(previous, current, max_gap_s=2.0) is follows


def test_frames_of_two_sizes_have_no_flow() -> None:
    with pytest.raises(ValueError, match="differ in size"):
        optical_flow(frame_at(1.0), frame_at(1.5, (160, 120)))
