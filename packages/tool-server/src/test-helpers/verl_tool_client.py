"""A verl-tool shaped client for pixel-reasoner-tool-server (standard library only).

It sends what verl-tool's agent loop sends to a tool server: one trajectory per POST
/get_observation with `trajectory_ids`, `actions`, `finish`, `is_last_step` and `extra_fields`
holding the episode's images, then checks the answers: texts, image sizes and pixels, dones and
valids, 64 trajectories at once, and that the server forgets every trajectory after `finish`.
Prints a JSON summary on stdout; exits 1 with the failed check on stderr.
"""

import argparse
import base64
import json
import os
import struct
import sys
import urllib.error
import urllib.request
import zlib
from concurrent.futures import ThreadPoolExecutor

YELLOW = (240, 220, 20)
CHECKS = []


def check(condition, message):
    if not condition:
        raise AssertionError(message)
    CHECKS.append(message)


def post(url, body):
    request = urllib.request.Request(
        url + "/get_observation",
        data=json.dumps(body).encode("utf-8"),
        headers={"content-type": "application/json"},
        method="POST",
    )
    with urllib.request.urlopen(request, timeout=120) as response:
        return response.status, json.loads(response.read())


def post_status(url, body):
    try:
        return post(url, body)[0]
    except urllib.error.HTTPError as error:
        return error.code


def health(url):
    with urllib.request.urlopen(url + "/health", timeout=30) as response:
        return json.loads(response.read())


def step(url, trajectory_id, action, images=None, finish=False, is_last_step=False, extra=None):
    """One agent-loop turn, shaped like `interact_with_tool_server` builds it."""
    extra_fields = dict(extra or {})
    if images is not None:
        extra_fields["images"] = images
    body = {
        "trajectory_ids": [trajectory_id],
        "actions": [action],
        "finish": [finish],
        "is_last_step": [is_last_step],
        "extra_fields": [extra_fields],
    }
    status, answer = post(url, body)
    check(status == 200, f"{trajectory_id}: HTTP {status}")
    for key in ("observations", "dones", "valids"):
        check(isinstance(answer.get(key), list) and len(answer[key]) == 1, f"{trajectory_id}: {key} is a one-item list")
    return answer["observations"][0], answer["dones"][0], answer["valids"][0]


def decode_png(data):
    """RGB pixels of an 8-bit truecolour PNG: (width, height, rows of bytes)."""
    check(data[:8] == b"\x89PNG\r\n\x1a\n", "observation image is a PNG")
    position = 8
    idat = b""
    width = height = None
    while position < len(data):
        (length,) = struct.unpack(">I", data[position : position + 4])
        kind = data[position + 4 : position + 8]
        chunk = data[position + 8 : position + 8 + length]
        if kind == b"IHDR":
            width, height, depth, colour = struct.unpack(">IIBB", chunk[:10])
            check(depth == 8 and colour == 2, "PNG is 8-bit RGB")
        elif kind == b"IDAT":
            idat += chunk
        position += 12 + length
    raw = zlib.decompress(idat)
    stride = width * 3
    rows = []
    previous = bytearray(stride)
    offset = 0
    for _ in range(height):
        kind = raw[offset]
        line = bytearray(raw[offset + 1 : offset + 1 + stride])
        offset += 1 + stride
        for i in range(stride):
            left = line[i - 3] if i >= 3 else 0
            up = previous[i]
            corner = previous[i - 3] if i >= 3 else 0
            if kind == 1:
                line[i] = (line[i] + left) & 255
            elif kind == 2:
                line[i] = (line[i] + up) & 255
            elif kind == 3:
                line[i] = (line[i] + (left + up) // 2) & 255
            elif kind == 4:
                estimate = left + up - corner
                distances = (abs(estimate - left), abs(estimate - up), abs(estimate - corner))
                predictor = (left, up, corner)[distances.index(min(distances))]
                line[i] = (line[i] + predictor) & 255
        rows.append(line)
        previous = line
    return width, height, rows


def image_of(url):
    check(url.startswith("data:image/png;base64,"), "observation image is a PNG data URL")
    return decode_png(base64.b64decode(url.split(",", 1)[1]))


def center(image):
    width, height, rows = image
    row = rows[height // 2]
    x = (width // 2) * 3
    return tuple(row[x : x + 3])


def close(a, b, tolerance=4):
    return all(abs(x - y) <= tolerance for x, y in zip(a, b))


def crop_action(bbox, target=1):
    payload = json.dumps({"name": "crop_image_normalized", "arguments": {"bbox_2d": bbox, "target_image": target}})
    return f"I should look closer.\n<tool_call>\n{payload}\n</tool_call>"


def check_crop(observation, done, valid, label):
    check(isinstance(observation, dict), f"{label}: crop observation is a dict")
    check(valid is True and done is False, f"{label}: crop is valid and not done")
    image = image_of(observation["image"])
    text = f"\nHere is the cropped image (Image Size: {image[0]}x{image[1]}):<image>"
    check(observation["obs"] == text, f"{label}: crop text names the returned size ({observation['obs']!r})")
    return image


def run_trajectory(url, index, image_url):
    trajectory_id = f"concurrent-{index}"
    observation, done, valid = step(url, trajectory_id, crop_action([0.6, 0.6, 0.9, 0.9]), images=[image_url])
    first = check_crop(observation, done, valid, trajectory_id)
    check(close(center(first), YELLOW), f"{trajectory_id}: first crop shows the yellow quadrant")
    observation, done, valid = step(url, trajectory_id, crop_action([0.2, 0.2, 0.8, 0.8], 2), images=[image_url])
    check_crop(observation, done, valid, f"{trajectory_id} second")
    return trajectory_id


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--url", required=True)
    parser.add_argument("--image-root", required=True)
    parser.add_argument("--trajectories", type=int, default=64)
    args = parser.parse_args()
    url = args.url.rstrip("/")
    root = args.image_root
    quadrant = os.path.join(root, "quadrant.png")
    frames = [os.path.join(root, "frames", f"{index:02d}.png") for index in range(1, 17)]

    baseline = health(url)
    check(baseline["status"] == "healthy", "health says healthy")
    check(baseline["trajectories"] == 0 and baseline["state_bytes"] == 0, "no state before the run")

    # Crop of an image given by path (inside the image root), as verl-tool's prepare script writes them.
    observation, done, valid = step(url, "crop", crop_action([0.6, 0.6, 0.9, 0.9]), images=[quadrant])
    image = check_crop(observation, done, valid, "crop")
    check(image[0] == 224 and image[1] == 224, "padded box [0.5, 1] of a 448 px image is 224 px")
    check(close(center(image), YELLOW), "crop shows the bottom-right (yellow) quadrant")

    # select_frames on a video given as its 16 frames, flagged by the dataset's is_video.
    action = '<tool_call>\n{"name": "select_frames", "arguments": {"target_frames": [3, 7]}}\n</tool_call>'
    observation, done, valid = step(url, "video", action, images=frames, extra={"is_video": True})
    check(isinstance(observation, dict) and valid is True and done is False, "select_frames is valid")
    check(isinstance(observation["image"], list) and len(observation["image"]) == 2, "two frames come back")
    selected = [image_of(frame) for frame in observation["image"]]
    width, height = selected[0][0], selected[0][1]
    expected = f"\nHere are the selected frames (Frame Size: {width}x{height}, Numbered 1 to 2):<image><image>"
    check(observation["obs"] == expected, f"select_frames text ({observation['obs']!r})")
    check(close(center(selected[0]), (30, 30, 30)) and close(center(selected[1]), (70, 70, 70)), "frames 3 and 7 come back in order")

    # A call whose JSON does not parse, and a tool the reference does not register.
    broken = '<tool_call>\n{"name": "crop_image_normalized", "arguments": {"bbox_2d": [0.1, 0.2,}\n</tool_call>'
    observation, done, valid = step(url, "crop", broken, images=[quadrant])
    check(isinstance(observation, str) and observation.startswith("\nExecution error:\n"), "malformed call gets the execution-error text")
    check(valid is False and done is False, "malformed call is invalid, trajectory goes on")
    unknown = '<tool_call>\n{"name": "zoom_out", "arguments": {"factor": 2}}\n</tool_call>'
    observation, done, valid = step(url, "crop", unknown, images=[quadrant])
    check(observation == "\nExecution error:\n'zoom_out'\n", f"unknown tool gets the reference KeyError text ({observation!r})")
    check(valid is False and done is False, "unknown tool is invalid")
    # target_image 2 is the first crop: the state survived the failed calls.
    observation, done, valid = step(url, "crop", crop_action([0.0, 0.0, 0.3, 0.3], 2), images=[quadrant])
    check_crop(observation, done, valid, "crop of the crop")

    # A path outside the image root is refused for that trajectory only.
    observation, done, valid = step(url, "escape", crop_action([0.1, 0.1, 0.5, 0.5]), images=[os.path.join(root, "..", "secret.png")])
    check(isinstance(observation, dict) and "escapes the image root" in observation.get("error", ""), "escaping path is refused")
    check(done is True and valid is False, "escaping trajectory is done")

    # A body without verl-tool's shape is a 422, like pydantic's validation error.
    check(post_status(url, {"trajectory_ids": ["x"], "actions": []}) == 422, "mismatched lengths are a 422")

    # 64 trajectories at once, each on its own connection, images as data URLs.
    with open(quadrant, "rb") as handle:
        image_url = "data:image/png;base64," + base64.b64encode(handle.read()).decode("ascii")
    with ThreadPoolExecutor(max_workers=args.trajectories) as pool:
        ids = list(pool.map(lambda index: run_trajectory(url, index, image_url), range(args.trajectories)))
    peak = health(url)
    check(peak["trajectories"] == args.trajectories + 2, f"{args.trajectories} concurrent trajectories plus crop and video are held ({peak['trajectories']})")
    per_image = 448 * 448 * 3
    check(peak["state_bytes"] > args.trajectories * per_image, "held state includes every trajectory's decoded image")

    # finish, as the agent loop sends it when a trajectory ends: empty action, finish and last step.
    def finish(trajectory_id):
        return step(url, trajectory_id, "", finish=True, is_last_step=True)

    with ThreadPoolExecutor(max_workers=args.trajectories) as pool:
        answers = list(pool.map(finish, ids + ["crop", "video"]))
    check(all(answer == ("", True, True) for answer in answers), "finish answers '' / done / valid")
    final = health(url)
    check(final["trajectories"] == 0 and final["state_bytes"] == 0, f"state returns to baseline after finish ({final['trajectories']}, {final['state_bytes']})")
    json.dump(
        {
            "checks": len(CHECKS),
            "peak_trajectories": peak["trajectories"],
            "peak_state_bytes": peak["state_bytes"],
            "final_trajectories": final["trajectories"],
            "final_state_bytes": final["state_bytes"],
            "evicted": final["evicted"],
        },
        sys.stdout,
    )
    print()


if __name__ == "__main__":
    try:
        main()
    except AssertionError as error:
        print(f"check failed: {error}", file=sys.stderr)
        sys.exit(1)
