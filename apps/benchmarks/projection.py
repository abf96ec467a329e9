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
    """The vectors (one a row) and their residuals off the row space of `rows`."""

    def __init__(self, rows: FloatArray, vectors: FloatArray) -> None:
        self.basis = row_basis(rows)
        self.vectors = vectors
        self.residual = vectors - (vectors @ self.basis.T) @ self.basis

    def residual_without(self, known: IndexArray, chosen: IndexArray) -> FloatArray | None:
        """The residuals of the chosen vectors off the row space widened by the unit vectors of the
        `known` coordinates (zero there); None when the update is ill-conditioned."""
        residual = self.residual[chosen]
        if not known.size:
            return residual
        qj = self.basis[:, known]
        lam, u = np.linalg.eigh(np.eye(known.size) - qj.T @ qj)
        if ((lam > NUMERICALLY_ZERO) & (lam < WELL_CONDITIONED)).any():
            return None
        keep = lam >= WELL_CONDITIONED
        y = residual[:, known] @ ((u[:, keep] / lam[keep]) @ u[:, keep].T)
        found = residual + (y @ qj.T) @ self.basis
        found[:, known] = 0.0
        return found
