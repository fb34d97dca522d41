"""What is measured: brands, locations, channels and waves (``reference``), journeys with their
versioned checklists (``journeys``, ``journey_editing``) and the built-in journey templates
(``templates``). Fieldwork and interchange build on this area; it builds on accounts only for
who may edit."""
