//! (issue 6: interventions — being written)
