# The PyTorch side of `make bench-flow`: the same model as flow_bench.c
# (8 affine coupling layers on 2-D data, conditioner MLP 1 -> 64 -> 64 -> 2
# with tanh, scale = tanh(raw)), one thread, float64.  Prints
# "<log_prob points/s> <training steps/s>".
import math
import sys
import time

import torch

torch.set_num_threads(1)
torch.manual_seed(0)
torch.set_default_dtype(torch.float64)


class Coupling(torch.nn.Module):
    def __init__(self, flip):
        super().__init__()
        self.flip = flip
        self.net = torch.nn.Sequential(
            torch.nn.Linear(1, 64), torch.nn.Tanh(),
            torch.nn.Linear(64, 64), torch.nn.Tanh(),
            torch.nn.Linear(64, 2))

    def inverse(self, x):
        c, t = (x[:, 1:], x[:, :1]) if self.flip else (x[:, :1], x[:, 1:])
        raw, shift = self.net(c).chunk(2, dim=1)
        s = torch.tanh(raw)
        t = (t - shift) * torch.exp(-s)
        z = torch.cat([t, c], 1) if self.flip else torch.cat([c, t], 1)
        return z, -s.sum(1)


class Flow(torch.nn.Module):
    def __init__(self):
        super().__init__()
        self.layers = torch.nn.ModuleList(Coupling(k % 2 == 1) for k in range(8))

    def log_prob(self, x):
        ld = torch.zeros(x.shape[0])
        for layer in reversed(self.layers):
            x, l = layer.inverse(x)
            ld = ld + l
        return -0.5 * (x * x).sum(1) - math.log(2 * math.pi) + ld


def rate(fn, seconds):
    fn()
    n, t0 = 0, time.perf_counter()
    while time.perf_counter() - t0 < seconds:
        fn()
        n += 1
    return n / (time.perf_counter() - t0)


flow = Flow()
x = torch.randn(4096, 2)
with torch.no_grad():
    lp_rate = 4096 * rate(lambda: flow.log_prob(x), 2.0)
opt = torch.optim.Adam(flow.parameters(), lr=1e-3)
xb = torch.randn(512, 2)


def step():
    opt.zero_grad()
    loss = -flow.log_prob(xb).mean()
    loss.backward()
    opt.step()


print(f"{lp_rate:.1f} {rate(step, 2.0):.2f}")
sys.stdout.flush()
