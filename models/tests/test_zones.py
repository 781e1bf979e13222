import numpy as np

from bsnet.zones import (FLIP_PERMUTATION, REFERENCE_ORDER, ZONE_BOXES, ZONES, boxes_in_zone_order,
                         flip_zone_labels, reference_to_zone_order)


def test_zone_order_is_a_to_f():
    assert ZONES == ("A", "B", "C", "D", "E", "F")
    assert REFERENCE_ORDER == ("A", "D", "B", "E", "C", "F")


def test_reference_grid_order_is_reordered():
    # The reference (3,2) grid flattened: rows upper/middle/lower, columns image-left/right.
    assert reference_to_zone_order(["a", "d", "b", "e", "c", "f"]) == ["a", "b", "c", "d", "e", "f"]


def test_boxes_from_the_paper():
    assert ZONE_BOXES["A"] == (0.0, 0.0, 0.4, 0.5)
    assert ZONE_BOXES["D"] == (0.0, 0.5, 0.4, 1.0)
    assert ZONE_BOXES["B"] == (0.3, 0.0, 0.7, 0.5)
    assert ZONE_BOXES["E"] == (0.3, 0.5, 0.7, 1.0)
    assert ZONE_BOXES["C"] == (0.6, 0.0, 1.0, 0.5)
    assert ZONE_BOXES["F"] == (0.6, 0.5, 1.0, 1.0)
    boxes = boxes_in_zone_order()
    assert all(b[2] > b[0] and b[3] > b[1] for b in boxes)
    # right lung (A,B,C) is image-left, left lung (D,E,F) image-right
    assert all(b[3] <= 0.5 for b in boxes[:3]) and all(b[1] >= 0.5 for b in boxes[3:])


def test_flip_swaps_right_and_left_lung_zones():
    labels = np.array([[0, 1, 2, 3, 3, 1]])  # A..F
    flipped = flip_zone_labels(labels)
    assert flipped.tolist() == [[3, 3, 1, 0, 1, 2]]  # A<-D, B<-E, C<-F, D<-A, E<-B, F<-C
    assert np.array_equal(flip_zone_labels(flipped), labels)
    assert sorted(FLIP_PERMUTATION) == list(range(6))
