"""Review stages (评审阶段): a batch's ordered stages, promotion from one to
the next, finalising a stage, and the final score across stages."""
