//! (issue 6: learning — being written)
