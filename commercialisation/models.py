"""COMMERCIALISATION: marketplace and widgets, booking tests, iCal synchronisation."""
