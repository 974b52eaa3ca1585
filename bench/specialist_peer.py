#!/usr/bin/python3
"""The Python twin of the specialist network, the peer of bench_specialist.

The same nnU-Net-style 3D U-Net as models/UNet3d.cpp (conv3d k3 + InstanceNorm3d(affine, eps 1e-5)
+ leaky ReLU 0.01 twice per stage, strided conv down, ConvTranspose3d k2 s2 without bias up,
concatenated skips, a 1x1 head per decoder stage for deep supervision), written with Debian's
python3-torch (1.13, the same libtorch_cpu the C++ build links). Run with /usr/bin/python3.

    specialist_peer.py serve [OPTIONS]        bench_specialist's child: one command per stdin line
                                              (train, loss, forward, slide, quit), one line of seconds back
    specialist_peer.py train|loss|forward|slide  standalone: warm-up, then the median of --repeats

The loss is cross-entropy + soft Dice (background excluded) with nnU-Net's deep-supervision
weights, not the C++ partial-label loss: the network dominates the cost of a step.
"""
import argparse
import math
import statistics
import sys
import time

import torch
import torch.nn.functional as F
from torch import nn

LEAKY_SLOPE = 0.01
NORM_EPSILON = 1e-5
GRADIENT_CLIP = 12.0
LEARNING_RATE = 0.01
MOMENTUM = 0.99
WEIGHT_DECAY = 3e-5
SMOOTH = 1e-5


class ConvBlock(nn.Module):
    def __init__(self, cin, cout, stride):
        super().__init__()
        self.conv1 = nn.Conv3d(cin, cout, 3, stride=stride, padding=1, bias=True)
        self.conv2 = nn.Conv3d(cout, cout, 3, stride=1, padding=1, bias=True)
        self.norm1 = nn.InstanceNorm3d(cout, eps=NORM_EPSILON, affine=True)
        self.norm2 = nn.InstanceNorm3d(cout, eps=NORM_EPSILON, affine=True)

    def forward(self, x):
        x = F.leaky_relu(self.norm1(self.conv1(x)), LEAKY_SLOPE)
        return F.leaky_relu(self.norm2(self.conv2(x)), LEAKY_SLOPE)


class UNet3d(nn.Module):
    def __init__(self, stages, base_width, in_channels, out_channels, deep_supervision=True, max_width=256):
        super().__init__()
        self.deep_supervision = deep_supervision
        width = [min(base_width << s, max_width) for s in range(stages)]
        self.encoder = nn.ModuleList(
            ConvBlock(in_channels if s == 0 else width[s - 1], width[s], 1 if s == 0 else 2) for s in range(stages))
        self.upsamplers, self.decoder, self.heads = nn.ModuleList(), nn.ModuleList(), nn.ModuleList()
        for s in range(stages - 2, -1, -1):
            self.upsamplers.append(nn.ConvTranspose3d(width[s + 1], width[s], 2, stride=2, bias=False))
            self.decoder.append(ConvBlock(2 * width[s], width[s], 1))
            self.heads.append(nn.Conv3d(width[s], out_channels, 1, bias=True))

    def forward(self, x):
        skips = []
        for block in self.encoder:
            x = block(x)
            skips.append(x)
        outputs = []
        supervised = self.deep_supervision and self.training
        for step, (up, block, head) in enumerate(zip(self.upsamplers, self.decoder, self.heads)):
            x = block(torch.cat([up(x), skips[len(skips) - 2 - step]], 1))
            if step + 1 == len(self.decoder) or supervised:
                outputs.append(head(x))
        return outputs[::-1]  # full resolution first


def supervised_loss(outputs, target, channels):
    """Cross-entropy + soft Dice per output, output k against target[::2^k] with weight 1/2^k."""
    norm = sum(1.0 / (1 << k) for k in range(len(outputs)))
    total = 0
    for k, logits in enumerate(outputs):
        s = 1 << k
        t = target[:, ::s, ::s, ::s]
        ce = F.cross_entropy(logits, t)
        p = torch.softmax(logits, 1)
        one_hot = F.one_hot(t, channels).permute(0, 4, 1, 2, 3).to(p.dtype)
        intersection = (p * one_hot).sum((2, 3, 4))
        dice = (2 * intersection + SMOOTH) / (p.sum((2, 3, 4)) + one_hot.sum((2, 3, 4)) + SMOOTH)
        total = total + (ce + 1 - dice[:, 1:].mean()) * ((1.0 / s) / norm)
    return total


def window_starts(size, patch, overlap=0.5):
    """models/SlidingWindowPredictor.cpp's windowStarts (std::lround: halves away from zero)."""
    if size <= patch:
        return [0]
    step = patch * (1.0 - overlap)
    count = int(math.ceil((size - patch) / step)) + 1
    return [int(math.floor(n * (size - patch) / (count - 1) + 0.5)) for n in range(count)]


def gaussian_importance(patch):
    axes = []
    for size in patch:
        sigma, centre = size / 8.0, (size - 1) / 2.0
        x = torch.arange(size, dtype=torch.float64)
        axes.append(torch.exp(-(x - centre) ** 2 / (2 * sigma * sigma)))
    m = axes[0].view(-1, 1, 1) * axes[1].view(1, -1, 1) * axes[2].view(1, 1, -1)
    m = m / m.max()
    return m.clamp_min(m[m > 0].min().item()).to(torch.float32)


def sliding_window(model, volume, channels, patch):
    """The same windows as predictSlidingWindow; whole-volume accumulators (simpler, more memory)."""
    model.eval()
    with torch.no_grad():
        shape = volume.shape
        importance = gaussian_importance((patch, patch, patch))
        sums = torch.zeros((channels,) + tuple(shape))
        weights = torch.zeros(tuple(shape))
        for z0 in window_starts(shape[0], patch):
            for y0 in window_starts(shape[1], patch):
                for x0 in window_starts(shape[2], patch):
                    dz, dy, dx = min(patch, shape[0] - z0), min(patch, shape[1] - y0), min(patch, shape[2] - x0)
                    window = torch.zeros((1, 1, patch, patch, patch))
                    window[0, 0, :dz, :dy, :dx] = volume[z0:z0 + dz, y0:y0 + dy, x0:x0 + dx]
                    probabilities = torch.softmax(model(window)[0], 1)[0] * importance
                    sums[:, z0:z0 + dz, y0:y0 + dy, x0:x0 + dx] += probabilities[:, :dz, :dy, :dx]
                    weights[z0:z0 + dz, y0:y0 + dy, x0:x0 + dx] += importance[:dz, :dy, :dx]
        return (sums / weights).argmax(0).to(torch.uint8)


class Peer:
    def __init__(self, args):
        self.args = args
        self.train_state = None
        self.infer_state = None
        self.logits = None

    def _make_model(self):
        torch.manual_seed(1)
        a = self.args
        return UNet3d(a.stages, a.width, 1, a.channels, deep_supervision=True)

    def train(self):
        a = self.args
        if self.train_state is None:
            model = self._make_model().train()
            optimizer = torch.optim.SGD(model.parameters(), lr=LEARNING_RATE, momentum=MOMENTUM, nesterov=True,
                                        weight_decay=WEIGHT_DECAY)
            torch.manual_seed(1)
            image = torch.randn(a.batch, 1, a.patch, a.patch, a.patch)
            # Sample 0 knows every channel, the others channels 0..C/2, as in the C++ benchmark.
            target = torch.stack([torch.randint(0, a.channels if n == 0 else a.channels // 2 + 1,
                                                (a.patch, a.patch, a.patch)) for n in range(a.batch)])
            self.train_state = (model, optimizer, image, target)
        model, optimizer, image, target = self.train_state
        start = time.perf_counter()
        outputs = model(image)
        t_forward = time.perf_counter()
        loss = supervised_loss(outputs, target, a.channels)
        if not math.isfinite(loss.item()):
            raise RuntimeError("the Python training loss is not finite")
        t_loss = time.perf_counter()
        optimizer.zero_grad()
        loss.backward()
        t_backward = time.perf_counter()
        torch.nn.utils.clip_grad_norm_(model.parameters(), GRADIENT_CLIP)
        optimizer.step()
        end = time.perf_counter()
        return [t_forward - start, t_loss - t_forward, t_backward - t_loss, end - t_backward, end - start]

    def loss(self):
        """The loss alone, forward + backward, on fixed logits (one forward of the training model)."""
        if self.train_state is None:
            self.train()
        model, _, image, target = self.train_state
        if self.logits is None:
            with torch.no_grad():
                self.logits = model(image)
        leaves = [x.detach().requires_grad_(True) for x in self.logits]
        start = time.perf_counter()
        supervised_loss(leaves, target, self.args.channels).backward()
        return [time.perf_counter() - start]

    def _infer(self):
        if self.infer_state is None:
            a = self.args
            model = self._make_model().eval()
            torch.manual_seed(2)
            volume = torch.randn(a.volume, a.volume, a.volume)
            patch = torch.randn(1, 1, a.patch, a.patch, a.patch)
            self.infer_state = (model, volume, patch)
        return self.infer_state

    def slide(self):
        model, volume, _ = self._infer()
        start = time.perf_counter()
        sliding_window(model, volume, self.args.channels, self.args.patch)
        return [time.perf_counter() - start]

    def forward(self):
        model, _, patch = self._infer()
        start = time.perf_counter()
        with torch.no_grad():
            model(patch)
        return [time.perf_counter() - start]


def serve(peer):
    print("ready", flush=True)
    commands = {"train": peer.train, "loss": peer.loss, "slide": peer.slide, "forward": peer.forward}
    for line in sys.stdin:
        command = line.strip()
        if command == "quit":
            break
        if command not in commands:
            print("error unknown command " + command, flush=True)
            continue
        print(" ".join("%.6f" % t for t in commands[command]()), flush=True)


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("command", choices=["serve", "train", "loss", "forward", "slide"])
    parser.add_argument("--threads", type=int, default=2)
    parser.add_argument("--batch", type=int, default=2)
    parser.add_argument("--patch", type=int, default=64)
    parser.add_argument("--width", type=int, default=16)
    parser.add_argument("--stages", type=int, default=4)
    parser.add_argument("--channels", type=int, default=10)
    parser.add_argument("--volume", type=int, default=96)
    parser.add_argument("--repeats", type=int, default=5)
    args = parser.parse_args()
    torch.set_num_threads(args.threads)
    peer = Peer(args)
    if args.command == "serve":
        serve(peer)
        return
    run = getattr(peer, args.command)
    run()  # warm-up
    times = [run() for _ in range(args.repeats)]
    print("%s: median of %d: %.3f s" % (args.command, args.repeats, statistics.median(t[-1] for t in times)))


if __name__ == "__main__":
    main()
