"""PyTorch counterpart of r2u's seed-shaped R2U-Net, for bench/gpu-vs-pytorch.ts.

The same network as src/runtime/model (depth 3, 16 filters, t = 2, 1x1
projection + two recurrent convolutional layers + residual add per block,
2x2 max pooling, 2x2 stride-2 transposed convolutions, concatenated skips,
1x1 sigmoid output, no normalisation), trained with Adam on BCE at batch 32 on
1 x 48 x 48 patches. Prints one JSON line: training patches/s and the time of
one full-image (584 x 568) inference.

    python3 bench/pytorch_r2unet.py [--device cuda] [--steps 20] [--recurrence paper|shared]
"""

import argparse
import json
import time

import torch
import torch.nn as nn


class RCL(nn.Module):
    """Recurrent convolutional layer; `paper`: separate feed-forward and recurrent weights."""

    def __init__(self, c, t, recurrence):
        super().__init__()
        self.t, self.recurrence = t, recurrence
        self.wf = nn.Conv2d(c, c, 3, padding=1)
        if recurrence == "paper":
            self.wr = nn.Conv2d(c, c, 3, padding=1, bias=False)

    def forward(self, x):
        if self.recurrence == "paper":
            ff = self.wf(x)
            h = torch.relu(ff)
            for _ in range(self.t):
                h = torch.relu(ff + self.wr(h))
            return h
        h = torch.relu(self.wf(x))
        for _ in range(self.t):
            h = torch.relu(self.wf(x + h))
        return h


class Block(nn.Module):
    def __init__(self, cin, c, t, recurrence):
        super().__init__()
        self.proj = nn.Conv2d(cin, c, 1)
        self.rcl = nn.Sequential(RCL(c, t, recurrence), RCL(c, t, recurrence))

    def forward(self, x):
        p = self.proj(x)
        return p + self.rcl(p)


class R2UNet(nn.Module):
    def __init__(self, depth=3, filters=16, t=2, recurrence="paper", cin=1):
        super().__init__()
        chans = [filters * 2**level for level in range(depth + 1)]
        self.enc = nn.ModuleList()
        c = cin
        for level in range(depth):
            self.enc.append(Block(c, chans[level], t, recurrence))
            c = chans[level]
        self.bottleneck = Block(c, chans[depth], t, recurrence)
        self.up = nn.ModuleList()
        self.dec = nn.ModuleList()
        for level in reversed(range(depth)):
            self.up.append(nn.ConvTranspose2d(chans[level + 1], chans[level], 2, stride=2))
            self.dec.append(Block(2 * chans[level], chans[level], t, recurrence))
        self.out = nn.Conv2d(chans[0], 1, 1)

    def forward(self, x):
        skips = []
        for block in self.enc:
            x = block(x)
            skips.append(x)
            x = torch.max_pool2d(x, 2)
        x = self.bottleneck(x)
        for up, dec, skip in zip(self.up, self.dec, reversed(skips)):
            x = dec(torch.cat([skip, up(x)], dim=1))
        return torch.sigmoid(self.out(x))


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--device", default="cuda" if torch.cuda.is_available() else "cpu")
    ap.add_argument("--steps", type=int, default=20)
    ap.add_argument("--batch", type=int, default=32)
    ap.add_argument("--recurrence", default="paper", choices=["paper", "shared"])
    args = ap.parse_args()
    dev = torch.device(args.device)
    torch.manual_seed(0)
    model = R2UNet(recurrence=args.recurrence).to(dev)
    opt = torch.optim.Adam(model.parameters(), lr=1e-3)
    loss_fn = nn.BCELoss()
    x = torch.rand(args.batch, 1, 48, 48, device=dev)
    y = (torch.rand(args.batch, 1, 48, 48, device=dev) < 0.12).float()

    def sync():
        if dev.type == "cuda":
            torch.cuda.synchronize()

    def step():
        opt.zero_grad(set_to_none=True)
        loss = loss_fn(model(x), y)
        loss.backward()
        opt.step()
        return loss

    for _ in range(3):
        step()
    sync()
    times = []
    for _ in range(args.steps):
        t0 = time.perf_counter()
        step().item()  # the loss read back each step, as r2u's progress line does
        times.append(time.perf_counter() - t0)
    times.sort()
    median = times[len(times) // 2]

    model.eval()
    img = torch.rand(1, 1, 584, 568, device=dev)
    with torch.no_grad():
        model(img)
        sync()
        t0 = time.perf_counter()
        model(img).cpu()
        infer = time.perf_counter() - t0

    print(json.dumps({
        "framework": f"pytorch {torch.__version__}",
        "device": torch.cuda.get_device_name(dev) if dev.type == "cuda" else "cpu",
        "recurrence": args.recurrence,
        "params": sum(p.numel() for p in model.parameters()),
        "batch": args.batch,
        "stepSecondsMedian": median,
        "trainPatchesPerSec": args.batch / median,
        "inferImageSeconds": infer,
    }))


if __name__ == "__main__":
    main()
