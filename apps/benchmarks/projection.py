"""Many vectors projected off a row space at once, and off that row space widened by what one
insider knows, by a rank-k update of one orthonormal basis (reference/disclosure-control.md §6.6).

An insider knows its own unknowns J. What it cannot tell about a vector t is the part of t, with its
own coordinates dropped, that the published rows restricted to the other unknowns leave over. That is
the residual of t off the row space R of the rows widened by the unit vectors e_j (j in J): J's
coordinates are absorbed by the e_j, the rest must be matched by a row. With Q an orthonormal basis of
R (the rows of `basis`), P = I - Q Q^T and r = P t, the residual is r - P E_J y, where y solves
(E_J^T P E_J) y = r_J and E_J^T P E_J = I - Q_J Q_J^T is only k x k. So one basis of R serves the
outsider and every insider, and each insider costs a k x k eigenproblem and one product over the
vectors, instead of a basis of its own.
"""

from __future__ import annotations

import numpy as np
import numpy.typing as npt

FloatArray = npt.NDArray[np.float64]
IndexArray = npt.NDArray[np.intp]

NUMERICALLY_ZERO = 1e-13
"""An eigenvalue of I - Q_J Q_J^T below this is a combination of known unknowns already in R."""

WELL_CONDITIONED = 1e-6
"""An eigenvalue between NUMERICALLY_ZERO and this makes the update unreliable: the caller decides
that insider another way."""


def row_basis(matrix: FloatArray) -> FloatArray:
    """An orthonormal basis of the row space (rows normalised first, so scale does not decide rank)."""
    if matrix.shape[0] == 0:
        return np.zeros((0, matrix.shape[1]))
    norms = np.linalg.norm(matrix, axis=1)
    matrix = matrix[norms > 0] / norms[norms > 0, np.newaxis]
    if matrix.shape[0] == 0:
        return np.zeros((0, matrix.shape[1]))
    _, singular, vh = np.linalg.svd(matrix, full_matrices=False)
    rank = int((singular > singular[0] * max(matrix.shape) * np.finfo(np.float64).eps).sum())
    return np.asarray(vh[:rank])


class Projection:
    """The vectors (one a row), their coordinates in an orthonormal basis of the row space of `rows`
    and, when asked for, their residuals off it."""

    def __init__(self, rows: FloatArray, vectors: FloatArray, *, residuals: bool) -> None:
        self.basis = row_basis(rows)
        self.vectors = vectors
        self.coords = vectors @ self.basis.T
        self.residual = vectors - self.coords @ self.basis if residuals else None
        if self.residual is None:
            self.left = (vectors * vectors).sum(axis=1) - (self.coords * self.coords).sum(axis=1)
        else:
            self.left = (self.residual * self.residual).sum(axis=1)

    def _update(self, known: IndexArray) -> tuple[FloatArray, FloatArray] | None:
        """Q_J and the pseudo-inverse of I - Q_J Q_J^T; None when that is ill-conditioned."""
        qj = self.basis[:, known]
        lam, u = np.linalg.eigh(np.eye(known.size) - qj.T @ qj)
        if ((lam > NUMERICALLY_ZERO) & (lam < WELL_CONDITIONED)).any():
            return None
        keep = lam >= WELL_CONDITIONED
        return qj, (u[:, keep] / lam[keep]) @ u[:, keep].T

    def _residual_rows(self, chosen: IndexArray) -> FloatArray:
        if self.residual is not None:
            return self.residual[chosen]
        return self.vectors[chosen] - self.coords[chosen] @ self.basis

    def residual_norms(self, known: IndexArray, chosen: IndexArray) -> tuple[FloatArray, FloatArray] | None:
        """For the chosen vectors, the squared norm of the residual off the row space widened by the
        unit vectors of `known`, and the squared norm of what the widening takes off the plain
        residual (the two add up to the plain residual's), by the k x k update alone, without
        forming any residual; None when the update is ill-conditioned. Differences of squares: good
        to about 1e-9 of the squared norms, so a caller decides only what clears that."""
        if not known.size:
            return self.left[chosen], np.zeros(chosen.size)
        update = self._update(known)
        if update is None:
            return None
        qj, inverse = update
        if self.residual is None:
            part = self.vectors[chosen][:, known] - self.coords[chosen] @ qj
        else:
            part = self.residual[chosen][:, known]
        taken = ((part @ inverse) * part).sum(axis=1)
        return self.left[chosen] - taken, taken

    def residual_without(self, known: IndexArray, chosen: IndexArray) -> FloatArray | None:
        """The residuals of the chosen vectors off the row space widened by the unit vectors of the
        `known` coordinates (zero there); None when the update is ill-conditioned."""
        residual = self._residual_rows(chosen)
        if not known.size:
            return residual
        update = self._update(known)
        if update is None:
            return None
        qj, inverse = update
        y = residual[:, known] @ inverse
        found = residual + (y @ qj.T) @ self.basis
        found[:, known] = 0.0
        return found
