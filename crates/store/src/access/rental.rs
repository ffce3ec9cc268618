//! (issue 6: rental — being written)
